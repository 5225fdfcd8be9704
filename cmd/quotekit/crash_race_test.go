//go:build race

package main

// raceBuild is set when the tests run with the race detector; the program they start is
// then built with it as well, which reuses the test build's cached packages and reports
// data races of the server under load.
const raceBuild = true
