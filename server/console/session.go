package console

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"sync"
	"time"

	"github.com/quotekit/quotekit/tenancy"
)

// cookieName is the session cookie's name. It is scoped to Path (Path=/console/), so the
// __Host- prefix, which needs Path=/, is not used.
const cookieName = "qk_console"

// flashTTL is how long a secret waits to be shown once before it is dropped unseen.
const flashTTL = 5 * time.Minute

// session is a signed-in admin key. It holds the key's hash to look the key up again on
// every request, never the key itself; it lives in memory only.
type session struct {
	keyID      int64
	keyHash    [32]byte
	csrf       string
	created    time.Time
	lastSeen   time.Time
	flashes    map[string]flash
	flashOrder []string
}

// flash is a secret's plaintext waiting to be shown once, on the page that follows the
// change that made it.
type flash struct {
	tenantID  string
	secret    tenancy.Secret
	plaintext string
	rolled    bool
	expires   time.Time
}

// sessions is the in-memory session table: a restart signs everyone out. Sessions are
// found by the SHA-256 of their id, so the table holds no usable cookie value.
type sessions struct {
	idle, absolute time.Duration
	now            func() time.Time

	mu sync.Mutex
	m  map[[32]byte]*session
}

func newSessions(idle, absolute time.Duration, now func() time.Time) *sessions {
	return &sessions{idle: idle, absolute: absolute, now: now, m: map[[32]byte]*session{}}
}

// randomToken returns 256 random bits, base64url-encoded.
func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func sessionKey(id string) [32]byte { return sha256.Sum256([]byte(id)) }

// create starts a session for key and returns its id, the cookie value.
func (s *sessions) create(key tenancy.AdminKey) string {
	id := randomToken()
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep(now)
	s.m[sessionKey(id)] = &session{keyID: key.ID, keyHash: key.Hash, csrf: randomToken(), created: now, lastSeen: now}
	return id
}

// get returns a copy of the live session with id and marks it used, or false when there
// is none or it timed out (idle or absolute), which ends it.
func (s *sessions) get(id string) (session, bool) {
	now := s.now()
	k := sessionKey(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.m[k]
	if !ok {
		return session{}, false
	}
	if !now.Before(ss.lastSeen.Add(s.idle)) || !now.Before(ss.created.Add(s.absolute)) {
		delete(s.m, k)
		return session{}, false
	}
	ss.lastSeen = now
	return *ss, true
}

// end ends the session with id.
func (s *sessions) end(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, sessionKey(id))
}

// endKey ends every session of admin key id.
func (s *sessions) endKey(keyID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, ss := range s.m {
		if ss.keyID == keyID {
			delete(s.m, k)
		}
	}
}

// sweep drops timed-out sessions. The caller holds s.mu.
func (s *sessions) sweep(now time.Time) {
	for k, ss := range s.m {
		if !now.Before(ss.lastSeen.Add(s.idle)) || !now.Before(ss.created.Add(s.absolute)) {
			delete(s.m, k)
		}
	}
}

// maxFlashes bounds the secrets a session may have waiting to be shown.
const maxFlashes = 8

// putFlash keeps f for the session with id until it is shown once, and returns the
// flash's own random id, or "" when the session is gone.
func (s *sessions) putFlash(id string, f flash) string {
	f.expires = s.now().Add(flashTTL)
	fid := randomToken()
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.m[sessionKey(id)]
	if !ok {
		return ""
	}
	if ss.flashes == nil {
		ss.flashes = map[string]flash{}
	}
	for len(ss.flashOrder) >= maxFlashes {
		delete(ss.flashes, ss.flashOrder[0])
		ss.flashOrder = ss.flashOrder[1:]
	}
	ss.flashes[fid] = f
	ss.flashOrder = append(ss.flashOrder, fid)
	return fid
}

// takeFlash returns the flash fid of the session with id and forgets it: a second call
// finds nothing.
func (s *sessions) takeFlash(id, fid string) (flash, bool) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.m[sessionKey(id)]
	if !ok {
		return flash{}, false
	}
	f, ok := ss.flashes[fid]
	delete(ss.flashes, fid)
	for i, o := range ss.flashOrder {
		if o == fid {
			ss.flashOrder = append(ss.flashOrder[:i:i], ss.flashOrder[i+1:]...)
			break
		}
	}
	if !ok || !now.Before(f.expires) {
		return flash{}, false
	}
	return f, true
}

// sameToken compares two tokens in constant time.
func sameToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// setCookie sets (or, with an empty id, clears) the session cookie.
func (c *Console) setCookie(w http.ResponseWriter, id string) {
	ck := &http.Cookie{ //nolint:gosec // Secure is off only for plain HTTP on loopback in development (Config.InsecureCookie)
		Name: cookieName, Value: id, Path: Path,
		HttpOnly: true, Secure: !c.cfg.InsecureCookie, SameSite: http.SameSiteStrictMode,
	}
	if id == "" {
		ck.MaxAge = -1
	}
	http.SetCookie(w, ck)
}
