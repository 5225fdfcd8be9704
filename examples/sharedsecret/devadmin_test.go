package main

import "testing"

// TestDevAdminAddr: make run's console is on 8090 beside 8080; any other address gets a
// free port, so a second sample (or the README's walk-through on 8090) does not collide.
func TestDevAdminAddr(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:8080": "127.0.0.1:8090",
		"127.0.0.1:8090": "127.0.0.1:0",
		"127.0.0.1:0":    "127.0.0.1:0",
		"127.0.0.1:9000": "127.0.0.1:0",
		"bad":            "127.0.0.1:0",
	} {
		if got := devAdminAddr(addr); got != want {
			t.Errorf("devAdminAddr(%q) = %q, want %q", addr, got, want)
		}
	}
}
