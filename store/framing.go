package store

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/cespare/xxhash/v2"
)

// Manifest and channel-record files are one header line then a JSON body:
//
//	<magic> v<version> len=<body bytes> xxh64=<16 hex digits of xxhash64(body)>\n<body>
//
// so a torn or altered file is detected before its JSON is parsed.

const maxHeaderLine = 128

func frame(magic string, version int, body []byte) []byte {
	head := fmt.Sprintf("%s v%d len=%d xxh64=%016x\n", magic, version, len(body), xxhash.Sum64(body))
	return append([]byte(head), body...)
}

// unframe checks the header line of data and returns the body. The version in the header must be
// one this package reads.
func unframe(magic string, version int, data []byte) ([]byte, error) {
	nl := bytes.IndexByte(data[:min(len(data), maxHeaderLine)], '\n')
	if nl < 0 {
		return nil, fmt.Errorf("no header line: %w", ErrCorrupt)
	}
	fields := bytes.Fields(data[:nl])
	if len(fields) != 4 || string(fields[0]) != magic {
		return nil, fmt.Errorf("header line %q: want %q v<n> len=<n> xxh64=<hex>: %w", data[:nl], magic, ErrCorrupt)
	}
	v, err := strconv.Atoi(string(bytes.TrimPrefix(fields[1], []byte("v"))))
	if err != nil || !bytes.HasPrefix(fields[1], []byte("v")) {
		return nil, fmt.Errorf("header line: bad version %q: %w", fields[1], ErrCorrupt)
	}
	if v != version {
		return nil, fmt.Errorf("version %d (this build reads %d): %w", v, version, ErrVersion)
	}
	n, err := strconv.Atoi(string(bytes.TrimPrefix(fields[2], []byte("len="))))
	if err != nil || !bytes.HasPrefix(fields[2], []byte("len=")) || n < 0 {
		return nil, fmt.Errorf("header line: bad length %q: %w", fields[2], ErrCorrupt)
	}
	sum, err := strconv.ParseUint(string(bytes.TrimPrefix(fields[3], []byte("xxh64="))), 16, 64)
	if err != nil || !bytes.HasPrefix(fields[3], []byte("xxh64=")) {
		return nil, fmt.Errorf("header line: bad checksum %q: %w", fields[3], ErrCorrupt)
	}
	body := data[nl+1:]
	if len(body) != n {
		return nil, fmt.Errorf("body is %d bytes, header says %d: %w", len(body), n, ErrCorrupt)
	}
	if got := xxhash.Sum64(body); got != sum {
		return nil, fmt.Errorf("body checksum %016x, header says %016x: %w", got, sum, ErrCorrupt)
	}
	return body, nil
}
