package auth

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limit is a token bucket for failed authentication attempts: Burst failures at once,
// then one more every Every.
type Limit struct {
	Burst int
	Every time.Duration
}

// Default limits. A client address may fail 20 times, then once every 3 seconds; a
// tenant (whatever the address) 60 times, then once a second. Real callers never come
// near them; guessing a 256-bit secret is hopeless anyway, so the limits only protect CPU
// and the audit log, and a tenant is slowed, never locked out.
var (
	DefaultIPLimit     = Limit{Burst: 20, Every: 3 * time.Second}
	DefaultTenantLimit = Limit{Burst: 60, Every: time.Second}
)

// maxBuckets bounds the memory the limiter may use; full buckets are dropped first.
const maxBuckets = 50_000

// limiter throttles failures per client address and per tenant. A throttled caller gets
// 429 with Retry-After, never 401: NetServer would re-authenticate and retry on a 401.
type limiter struct {
	ip, tenant Limit
	now        func() time.Time

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
}

func newLimiter(ip, tenant Limit, now func() time.Time) *limiter {
	return &limiter{ip: ip, tenant: tenant, now: now, buckets: map[string]*rate.Limiter{}}
}

// failed takes a token from the buckets of ip and tenant; when one was already empty it
// returns a RateLimitedError saying when it holds a token again.
func (l *limiter) failed(ip, tenant string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var limited error
	for _, key := range l.keys(ip, tenant) {
		b, ok := l.buckets[key]
		if !ok {
			l.makeRoom(now)
			lim := l.ip
			if strings.HasPrefix(key, "tenant:") {
				lim = l.tenant
			}
			b = rate.NewLimiter(rate.Every(lim.Every), lim.Burst)
			l.buckets[key] = b
		}
		if !b.AllowN(now, 1) && limited == nil {
			limited = &RateLimitedError{RetryAfter: wait(b, now)}
		}
	}
	return limited
}

func (l *limiter) keys(ip, tenant string) []string {
	keys := make([]string, 0, 2)
	if ip != "" {
		keys = append(keys, "ip:"+ip)
	}
	if tenant != "" {
		keys = append(keys, "tenant:"+tenant)
	}
	return keys
}

// makeRoom drops buckets that have refilled when the map is full; if none has, the
// oldest arbitrary half goes, which at worst forgives some failures.
func (l *limiter) makeRoom(now time.Time) {
	if len(l.buckets) < maxBuckets {
		return
	}
	for k, b := range l.buckets {
		if b.TokensAt(now) >= float64(b.Burst()) {
			delete(l.buckets, k)
		}
	}
	for k := range l.buckets {
		if len(l.buckets) < maxBuckets/2 {
			break
		}
		delete(l.buckets, k)
	}
}

// wait is how long until the bucket holds a token again.
func wait(b *rate.Limiter, now time.Time) time.Duration {
	missing := 1 - b.TokensAt(now)
	if missing <= 0 {
		return 0
	}
	return time.Duration(missing / float64(b.Limit()) * float64(time.Second))
}

// clientIPFunc returns the client address of a request: the peer, or, when the peer is
// a trusted proxy, the last X-Forwarded-For hop that is not one. Client-supplied
// headers from untrusted peers are ignored, so they cannot dodge the per-address limit.
func clientIPFunc(proxies []string) func(*http.Request) string {
	var trusted []netip.Prefix
	for _, p := range proxies {
		if pfx, err := netip.ParsePrefix(p); err == nil {
			trusted = append(trusted, pfx)
		} else if a, err := netip.ParseAddr(p); err == nil {
			trusted = append(trusted, netip.PrefixFrom(a, a.BitLen()))
		}
	}
	isTrusted := func(a netip.Addr) bool {
		for _, p := range trusted {
			if p.Contains(a.Unmap()) {
				return true
			}
		}
		return false
	}
	return func(r *http.Request) string {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		peer, err := netip.ParseAddr(host)
		if err != nil {
			return host
		}
		if !isTrusted(peer) {
			return peer.Unmap().String()
		}
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break
			}
			if !isTrusted(a) {
				return a.Unmap().String()
			}
		}
		return peer.Unmap().String()
	}
}
