// Package procstat reads the process's own memory and I/O counters from /proc (Linux): peak and
// current resident set (VmHWM, VmRSS, RssFile) and bytes read and written (/proc/self/io).
package procstat

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Memory holds /proc/self/status figures in bytes.
type Memory struct {
	VmHWM, VmRSS, RssAnon, RssFile, RssShmem int64
}

// IO holds /proc/self/io counters in bytes. ReadBytes and WriteBytes are what reached the storage
// layer; RChar and WChar count every read(2)/write(2) byte, including page-cache hits.
type IO struct {
	RChar, WChar, ReadBytes, WriteBytes int64
}

// ReadMemory reads /proc/self/status.
func ReadMemory() (Memory, error) {
	var m Memory
	err := scanKV("/proc/self/status", func(k, v string) {
		f := strings.Fields(v)
		if len(f) == 0 {
			return
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return
		}
		n *= 1024 // kB
		switch k {
		case "VmHWM":
			m.VmHWM = n
		case "VmRSS":
			m.VmRSS = n
		case "RssAnon":
			m.RssAnon = n
		case "RssFile":
			m.RssFile = n
		case "RssShmem":
			m.RssShmem = n
		}
	})
	return m, err
}

// ReadIO reads /proc/self/io.
func ReadIO() (IO, error) {
	var io IO
	err := scanKV("/proc/self/io", func(k, v string) {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return
		}
		switch k {
		case "rchar":
			io.RChar = n
		case "wchar":
			io.WChar = n
		case "read_bytes":
			io.ReadBytes = n
		case "write_bytes":
			io.WriteBytes = n
		}
	})
	return io, err
}

func scanKV(path string, f func(k, v string)) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("procstat: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok {
			f(strings.TrimSpace(k), v)
		}
	}
	return nil
}
