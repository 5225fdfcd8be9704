package auth

import (
	"context"
	"crypto/rsa"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/quotekit/quotekit/connector"
)

const (
	// minRSABits is the smallest RSA key trusted to verify a SuperOffice signature.
	minRSABits = 2048
	// maxJWKSBody caps a JWKS response; SuperOffice's is a few KiB.
	maxJWKSBody = 1 << 20
	// maxJWKSKeys bounds the keys kept from one JWKS, and so the RSA verifications a
	// token without kid can cost.
	maxJWKSKeys = 16
	// jwksTimeout bounds one JWKS request, connection and TLS handshake included.
	jwksTimeout = 5 * time.Second
	// jwksRefreshInterval is the period of the background refresh, whatever the
	// endpoint's cache headers say, so that a withdrawn key is dropped in bounded time.
	jwksRefreshInterval = 15 * time.Minute
	// maxJWKSRedirects bounds redirects, which must stay on the same https host.
	maxJWKSRedirects = 3
)

var (
	errJWKSTooLarge = errors.New("jwks: response body exceeds 1 MiB")
	errJWKSNoKeys   = errors.New("jwks: no RSA signature key in the set")
)

// keySet is one environment's verification keys, immutable once published.
type keySet struct {
	byKID map[string]*rsa.PublicKey
	noKID []*rsa.PublicKey
	all   []*rsa.PublicKey
}

func (s *keySet) add(kid string, k *rsa.PublicKey) {
	s.all = append(s.all, k)
	if kid == "" {
		s.noKID = append(s.noKID, k)
		return
	}
	if s.byKID == nil {
		s.byKID = map[string]*rsa.PublicKey{}
	}
	if _, dup := s.byKID[kid]; !dup {
		s.byKID[kid] = k
	}
}

// envKeys holds a trusted environment and its current keys. The keys are published
// through an atomic pointer by the JWKS cache's post-fetch filter, so verification never
// waits on the cache's locks, which jwx holds for the length of an HTTP request.
type envKeys struct {
	name string
	mode connector.Environment
	url  string // "" for local keys
	src  *jwksSource
	keys atomic.Pointer[keySet]

	mu         sync.Mutex
	lastForced time.Time     // start of the last refresh forced by an unknown kid
	inflight   chan struct{} // closed when the forced refresh under way ends
}

// jwksSource is the one jwk.Cache shared by all environments, and the context that
// bounds its life.
type jwksSource struct {
	ctx   context.Context
	cache *jwk.Cache
}

func (e *envKeys) current() *keySet { return e.keys.Load() }

func (e *envKeys) fetchable() bool { return e.url != "" }

// newEnvKeys builds the trusted environments: local keys are published at once; JWKS
// endpoints are registered with one cache, whose fetches are whitelisted to exactly the
// configured URLs, and fetched once, concurrently. A failed fetch leaves the environment
// without keys until a later refresh succeeds.
func newEnvKeys(ctx context.Context, cfg SuperOfficeConfig) ([]*envKeys, error) {
	envs := make([]*envKeys, 0, len(cfg.Envs))
	var remote []*envKeys
	for _, c := range cfg.Envs {
		e := &envKeys{name: c.Name, mode: c.Mode, url: c.JWKSURL}
		if len(c.Keys) > 0 {
			set := &keySet{}
			for _, k := range c.Keys {
				set.add("", k.(*rsa.PublicKey)) // checked by withDefaults
			}
			e.keys.Store(set)
		} else {
			remote = append(remote, e)
		}
		envs = append(envs, e)
	}
	if len(remote) == 0 {
		return envs, nil
	}

	client := jwksClient(cfg.HTTPClient)
	allowed := jwk.NewMapWhitelist()
	for _, e := range remote {
		allowed.Add(e.url)
	}
	src := &jwksSource{ctx: ctx, cache: jwk.NewCache(ctx, jwk.WithRefreshWindow(jwksRefreshInterval))}
	for _, e := range remote {
		e.src = src
		err := src.cache.Register(e.url,
			jwk.WithHTTPClient(client),
			jwk.WithFetchWhitelist(allowed),
			jwk.WithRefreshInterval(jwksRefreshInterval),
			jwk.WithPostFetcher(jwk.PostFetchFunc(e.postFetch)),
		)
		if err != nil {
			return nil, fmt.Errorf("superoffice: environment %s: %w", e.name, err)
		}
	}
	var wg sync.WaitGroup
	for _, e := range remote {
		wg.Go(func() { _, _ = src.cache.Refresh(ctx, e.url) })
	}
	wg.Wait()
	return envs, nil
}

// postFetch filters every set the cache fetches for the environment and publishes the
// result. A set without a usable key is an error, so the cache and the environment keep
// the last good set: an endpoint that suddenly serves nothing usable is more likely
// broken than rotated.
func (e *envKeys) postFetch(_ string, set jwk.Set) (jwk.Set, error) {
	kept, keys, err := filterJWKS(set)
	if err != nil {
		return nil, err
	}
	e.keys.Store(keys)
	return kept, nil
}

// filterJWKS keeps the RSA keys of at least 2048 bits meant for signatures (use absent or
// "sig", key_ops absent or with "verify", alg absent or RS256), at most maxJWKSKeys of
// them, public parts only, with alg set to RS256: no symmetric, EC or encryption key
// can reach the verifier (one algorithm per key, RFC 8725 §3.1).
func filterJWKS(set jwk.Set) (jwk.Set, *keySet, error) {
	kept := jwk.NewSet()
	keys := &keySet{}
	for i := 0; i < set.Len() && len(keys.all) < maxJWKSKeys; i++ {
		k, _ := set.Key(i)
		if k == nil || k.KeyType() != jwa.RSA {
			continue
		}
		if use := k.KeyUsage(); use != "" && use != string(jwk.ForSignature) {
			continue
		}
		if ops := k.KeyOps(); len(ops) > 0 && !slices.Contains(ops, jwk.KeyOpVerify) {
			continue
		}
		if alg := k.Algorithm(); alg != nil && alg.String() != "" && alg.String() != jwa.RS256.String() {
			continue
		}
		pub, err := k.PublicKey()
		if err != nil {
			continue
		}
		var raw rsa.PublicKey
		if err := pub.Raw(&raw); err != nil || raw.N == nil || raw.N.BitLen() < minRSABits {
			continue
		}
		if err := pub.Set(jwk.AlgorithmKey, jwa.RS256); err != nil {
			continue
		}
		if err := kept.AddKey(pub); err != nil {
			continue
		}
		keys.add(pub.KeyID(), &raw)
	}
	if len(keys.all) == 0 {
		return nil, nil, errJWKSNoKeys
	}
	return kept, keys, nil
}

// refresh forces a JWKS refresh of each environment, at most once per cooldown each, and
// waits for the refreshes under way to end or for ctx.
func (v *SuperOfficeVerifier) refresh(ctx context.Context, envs []*envKeys, now time.Time) {
	var waits []<-chan struct{}
	for _, e := range envs {
		if done := e.refreshOnce(now, v.cooldown); done != nil {
			waits = append(waits, done)
		}
	}
	for _, done := range waits {
		select {
		case <-done:
		case <-ctx.Done():
			return
		}
	}
}

// refreshOnce starts a refresh unless one is under way, whose end it then returns too
// (single flight), or the last one started less than cooldown ago (nil). The refresh runs
// on the verifier's context, not the caller's: a caller that gives up does not cancel it
// for the others; the HTTP client's timeout bounds it.
func (e *envKeys) refreshOnce(now time.Time, cooldown time.Duration) <-chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.inflight != nil {
		return e.inflight
	}
	if !e.lastForced.IsZero() && now.Sub(e.lastForced) < cooldown {
		return nil
	}
	e.lastForced = now
	done := make(chan struct{})
	e.inflight = done
	go func() {
		// The outcome arrives through postFetch; a failure keeps the last good set.
		_, _ = e.src.cache.Refresh(e.src.ctx, e.url)
		e.mu.Lock()
		e.inflight = nil
		e.mu.Unlock()
		close(done)
	}()
	return done
}

// jwksClient returns the client that fetches JWKS: a copy of c when given, with the body
// cap always added and the timeout and redirect policy defaulted, or else a client of its
// own with TLS 1.2 at least.
func jwksClient(c *http.Client) *http.Client {
	if c == nil {
		dialer := &net.Dialer{Timeout: jwksTimeout}
		c = &http.Client{Transport: &http.Transport{
			Proxy:                  http.ProxyFromEnvironment,
			DialContext:            dialer.DialContext,
			TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
			TLSHandshakeTimeout:    jwksTimeout,
			ResponseHeaderTimeout:  jwksTimeout,
			MaxResponseHeaderBytes: 64 << 10,
			ForceAttemptHTTP2:      true,
			IdleConnTimeout:        90 * time.Second,
			MaxIdleConns:           4,
		}}
	}
	out := *c
	next := out.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	if _, capped := next.(cappedTransport); !capped {
		out.Transport = cappedTransport{next: next, max: maxJWKSBody}
	}
	if out.Timeout == 0 {
		out.Timeout = jwksTimeout
	}
	if out.CheckRedirect == nil {
		out.CheckRedirect = sameHostRedirect
	}
	return &out
}

// sameHostRedirect follows a few redirects within the https host first asked.
func sameHostRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxJWKSRedirects {
		return errors.New("jwks: too many redirects")
	}
	if req.URL.Scheme != "https" || req.URL.Host != via[0].URL.Host {
		return errors.New("jwks: redirect to another host")
	}
	return nil
}

// cappedTransport caps response bodies. jwx reads a JWKS body with an unbounded
// io.ReadAll and leaves bodies of failed responses unclosed; here a body beyond max is an
// error, and the body of a non-200 response is closed at once and replaced by an empty
// one.
type cappedTransport struct {
	next http.RoundTripper
	max  int64
}

func (t cappedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	switch {
	case resp.StatusCode != http.StatusOK:
		resp.Body.Close()
		resp.Body = http.NoBody
	case resp.ContentLength > t.max:
		resp.Body.Close()
		return nil, errJWKSTooLarge
	default:
		resp.Body = &cappedBody{rc: resp.Body, left: t.max}
	}
	return resp, nil
}

// cappedBody reads at most left bytes and fails, closing the underlying body, when the
// stream goes on beyond them.
type cappedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		var probe [1]byte
		n, err := b.rc.Read(probe[:])
		if n > 0 {
			b.rc.Close()
			return 0, errJWKSTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *cappedBody) Close() error { return b.rc.Close() }
