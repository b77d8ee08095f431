// Package shareddata locates the team's shared data directory (../shared beside the checkout) for
// tests, and skips a test with a clear message where it is absent.
package shareddata
