package sqlite

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"testing"
	"time"
)

// BenchmarkTokenByHash measures the per-request token check against 100 000 stored
// tokens: serially (latency) and from parallel goroutines (the read pool).
func BenchmarkTokenByHash(b *testing.B) {
	const tokens = 100_000
	ctx := context.Background()
	s, _ := openStore(b)
	mustCreateTenant(b, s, "Cust1")

	hashOf := func(i int) [32]byte {
		var buf [8]byte
		binary.BigEndian.PutUint64(buf[:], uint64(i))
		return sha256.Sum256(buf[:])
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	seed := func() {
		ins, err := tx.PrepareContext(ctx, `INSERT INTO access_tokens
		(hash, tenant_id, associate_id, user_name, user_email, method, issued_at, expires_at)
		VALUES (?, 'Cust1', ?, 'User', 'user@example.com', 'superoffice_jwt', ?, ?)`)
		if err != nil {
			b.Fatal(err)
		}
		defer ins.Close()
		for i := range tokens {
			h := hashOf(i)
			if _, err := ins.ExecContext(ctx, h[:], i%500+1, t0.UnixNano(), t0.Add(time.Hour).UnixNano()); err != nil {
				b.Fatal(err)
			}
		}
	}
	seed()
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}

	b.Run("serial", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if _, _, err := s.TokenByHash(ctx, hashOf(i*7919%tokens)); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, _, err := s.TokenByHash(ctx, hashOf(i*7919%tokens)); err != nil {
					b.Error(err)
					return
				}
				i++
			}
		})
	})
}

// BenchmarkDataVersion is the question the credential cache asks on every call: has
// anything been committed since?
func BenchmarkDataVersion(b *testing.B) {
	s, _ := openStore(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.DataVersion(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
