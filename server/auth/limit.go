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

// DefaultIPLimit is the default per-client limit: a client may fail 20 times, then once
// every 3 seconds. Real callers never come near it; guessing a 256-bit secret is hopeless
// anyway, so the limit only protects CPU and the audit log.
var DefaultIPLimit = Limit{Burst: 20, Every: 3 * time.Second}

// maxBuckets bounds the memory the limiter may use; full buckets are dropped first.
const maxBuckets = 50_000

// limiter throttles failures per client: an IPv4 address, or the /64 of an IPv6 address
// (clientKey). A throttled caller gets 429 with Retry-After, never 401: NetServer would
// re-authenticate and retry on a 401.
//
// There is no per-tenant bucket: a tenant's name is whatever a failing caller says it is
// (a Basic user, the unverified claim of a JWT), so charging the tenant would let anyone
// lock it out; and a failure proven to be the tenant's own (an expired token) must stay a
// 401, so that NetServer authenticates again.
type limiter struct {
	client Limit
	now    func() time.Time

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
}

func newLimiter(client Limit, now func() time.Time) *limiter {
	return &limiter{client: client, now: now, buckets: map[string]*rate.Limiter{}}
}

// failed takes a token from the bucket of client (a clientKey); when it was already empty
// it returns a RateLimitedError saying when it holds a token again.
func (l *limiter) failed(client string) error {
	if client == "" {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[client]
	if !ok {
		l.makeRoom(now)
		b = rate.NewLimiter(rate.Every(l.client.Every), l.client.Burst)
		l.buckets[client] = b
	}
	if !b.AllowN(now, 1) {
		return &RateLimitedError{RetryAfter: wait(b, now)}
	}
	return nil
}

// clientKey is what one client is limited and audited by: an IPv4 address as it is
// (IPv4 mapped into IPv6 included), and the /64 of an IPv6 address, the block a single
// subscriber or host gets, who could otherwise take a fresh address for every attempt.
// Anything that is not an address stays as it is.
func clientKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, err := a.WithZone("").Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
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
