module github.com/cubeimg/cubeimg

go 1.26

require github.com/spf13/cobra v1.10.2

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/inconshreveable/mousetrap v1.1.0 // indirect
	github.com/spf13/pflag v1.0.9 // indirect
)
