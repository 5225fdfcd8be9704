package console

import (
	"testing"
	"time"

	"github.com/quotekit/quotekit/tenancy"
)

func TestSessionTimeouts(t *testing.T) {
	now := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	s := newSessions(30*time.Minute, 12*time.Hour, func() time.Time { return now })
	key := tenancy.AdminKey{ID: 7}

	idle := s.create(key)
	now = now.Add(29 * time.Minute)
	if _, ok := s.get(idle); !ok {
		t.Fatal("a session used 29 min ago ended")
	}
	now = now.Add(30 * time.Minute)
	if _, ok := s.get(idle); ok {
		t.Fatal("a session idle for 30 min lives on")
	}

	busy := s.create(key)
	for range 12*2 - 1 { // used every 30 min less a second, for just under 12 h
		now = now.Add(30*time.Minute - time.Second)
		if _, ok := s.get(busy); !ok {
			t.Fatalf("a session in use ended before 12 h, at %v", now)
		}
	}
	now = now.Add(30 * time.Minute)
	if _, ok := s.get(busy); ok {
		t.Fatal("a session in use outlived the absolute timeout")
	}

	a, b := s.create(key), s.create(tenancy.AdminKey{ID: 8})
	if a == b || len(a) != 43 {
		t.Fatalf("session ids %q %q: want distinct 256-bit ids", a, b)
	}
	s.endKey(7)
	if _, ok := s.get(a); ok {
		t.Error("endKey left a session of the key")
	}
	if _, ok := s.get(b); !ok {
		t.Error("endKey ended another key's session")
	}
}

func TestFlashShownOnce(t *testing.T) {
	now := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	s := newSessions(time.Hour, 12*time.Hour, func() time.Time { return now })
	id, other := s.create(tenancy.AdminKey{ID: 1}), s.create(tenancy.AdminKey{ID: 1})
	fid := s.putFlash(id, flash{tenantID: "Cust1", plaintext: "qk_sk_test_x"})
	if _, ok := s.takeFlash(other, fid); ok {
		t.Fatal("another session read the flash")
	}
	if f, ok := s.takeFlash(id, fid); !ok || f.plaintext != "qk_sk_test_x" {
		t.Fatalf("the first view: %+v %v", f, ok)
	}
	if _, ok := s.takeFlash(id, fid); ok {
		t.Fatal("the flash was shown twice")
	}
	late := s.putFlash(id, flash{plaintext: "late"})
	now = now.Add(flashTTL)
	if _, ok := s.takeFlash(id, late); ok {
		t.Fatal("a flash outlived flashTTL")
	}
	for i := range maxFlashes + 2 {
		s.putFlash(id, flash{plaintext: string(rune('a' + i))})
	}
	s.mu.Lock()
	n := len(s.m[sessionKey(id)].flashes)
	s.mu.Unlock()
	if n != maxFlashes {
		t.Errorf("%d flashes kept, want at most %d", n, maxFlashes)
	}
}
