package spool

import "math"

// Samples of a channel are ordered by the Morton (Z-order) index of their (u, v) cell on a grid of
// mortonCells x mortonCells cells spanning [-UVScale, +UVScale] in u and v (the channel's
// UVScale in the manifest; samples beyond it fall into the edge cells). Equal cells keep their
// input order, so the order is a stable sort of the input by cell and is reproducible.
const (
	mortonBits  = 8
	mortonCells = 1 << mortonBits
)

// cellKey returns the Morton index of (u, v) for a channel whose scale is uvScale (> 0).
func cellKey(u, v, inv float64) uint16 {
	return uint16(spread8(cellIndex(u, inv)) | spread8(cellIndex(v, inv))<<1)
}

// cellIndex quantises x in [-1/inv, 1/inv] (inv = mortonCells/2 / uvScale) to [0, mortonCells).
func cellIndex(x, inv float64) uint32 {
	q := math.Floor(x*inv) + mortonCells/2
	switch {
	case q >= mortonCells-1:
		return mortonCells - 1
	case q > 0:
		return uint32(q)
	}
	return 0 // also NaN
}

// spread8 moves the low 8 bits of x to the even bits of the result.
func spread8(x uint32) uint32 {
	x &= 0xff
	x = (x | x<<4) & 0x0f0f
	x = (x | x<<2) & 0x3333
	x = (x | x<<1) & 0x5555
	return x
}

// keyInv returns the quantisation factor for a channel scale.
func keyInv(uvScale float64) float64 {
	if !(uvScale > 0) || math.IsInf(uvScale, 0) {
		return 0
	}
	return mortonCells / 2 / uvScale
}

// sortPerm returns in perm the stable order of keys (perm[i] is the index of the i-th smallest),
// by a two-pass LSD radix sort. tk and tp are scratch of at least len(keys).
func sortPerm(keys []uint16, perm, tp []int32, tk []uint16) {
	n := len(keys)
	for i := range n {
		perm[i] = int32(i)
	}
	var cnt [256]int
	src, dst := perm[:n], tp[:n]
	sk, dk := keys[:n], tk[:n]
	for shift := 0; shift < 16; shift += 8 {
		clear(cnt[:])
		for _, k := range sk {
			cnt[(k>>shift)&0xff]++
		}
		s := 0
		for b := range cnt {
			s, cnt[b] = s+cnt[b], s
		}
		for i, k := range sk {
			b := (k >> shift) & 0xff
			dst[cnt[b]] = src[i]
			dk[cnt[b]] = k
			cnt[b]++
		}
		src, dst = dst, src
		sk, dk = dk, sk
	}
	// After two passes the result is back in perm.
}

// mergePerm merges the runs [bounds[r], bounds[r+1]) of keys, each already in key order, into
// perm: perm[i] is the index of the i-th sample of the merged order. Equal keys keep the run
// order, so merging stable-sorted runs gives the stable sort of the whole.
func mergePerm(keys []uint16, bounds []int, perm []int32) {
	type head struct {
		key      uint16
		run, pos int
	}
	h := make([]head, 0, len(bounds)-1)
	less := func(a, b head) bool { return a.key < b.key || (a.key == b.key && a.run < b.run) }
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= len(h) {
				return
			}
			m := l
			if r := l + 1; r < len(h) && less(h[r], h[l]) {
				m = r
			}
			if !less(h[m], h[i]) {
				return
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
	for r := 0; r+1 < len(bounds); r++ {
		if bounds[r] < bounds[r+1] {
			h = append(h, head{keys[bounds[r]], r, bounds[r]})
		}
	}
	for i := len(h)/2 - 1; i >= 0; i-- {
		down(i)
	}
	for o := 0; len(h) > 0; o++ {
		top := &h[0]
		perm[o] = int32(top.pos)
		top.pos++
		if top.pos < bounds[top.run+1] {
			top.key = keys[top.pos]
		} else {
			h[0] = h[len(h)-1]
			h = h[:len(h)-1]
		}
		down(0)
	}
}

// applyPerm reorders s in place so that s[i] becomes the old s[perm[i]], following the
// permutation's cycles. visited is scratch of at least (len+63)/64 words.
func applyPerm(s *Samples, perm []int32, visited []uint64) {
	n := len(perm)
	clear(visited[:(n+63)/64])
	for i := 0; i < n; i++ {
		if visited[i>>6]&(1<<(i&63)) != 0 || int(perm[i]) == i {
			continue
		}
		u, v, w, x, wt := s.U[i], s.V[i], s.W[i], s.Vis[i], s.Weight[i]
		j := i
		for {
			visited[j>>6] |= 1 << (j & 63)
			k := int(perm[j])
			if k == i {
				s.U[j], s.V[j], s.W[j], s.Vis[j], s.Weight[j] = u, v, w, x, wt
				break
			}
			s.U[j], s.V[j], s.W[j], s.Vis[j], s.Weight[j] = s.U[k], s.V[k], s.W[k], s.Vis[k], s.Weight[k]
			j = k
		}
	}
}
