//go:build !race

package main

// raceBuild: see crash_race_test.go.
const raceBuild = false
