package netserver

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeConnector is a scripted partner endpoint. /Authenticate issues tok-1, tok-2, …
// as an RFC 6749 object unless auth is set; operations go to op.
type fakeConnector struct {
	t    *testing.T
	auth func(w http.ResponseWriter, r *http.Request, n int)
	op   func(w http.ResponseWriter, r *http.Request, op string, body map[string]any)

	mu      sync.Mutex
	hits    map[string]int
	headers map[string][]string // Authorization values per path
}

func newFake(t *testing.T, op func(w http.ResponseWriter, r *http.Request, op string, body map[string]any)) (*fakeConnector, string) {
	f := &fakeConnector{t: t, op: op, hits: map[string]int{}, headers: map[string][]string{}}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	return f, srv.URL + "/connector/"
}

func (f *fakeConnector) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/connector/") {
		f.t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
		return
	}
	name := strings.TrimPrefix(r.URL.Path, "/connector/")
	f.mu.Lock()
	f.hits[name]++
	n := f.hits[name]
	f.headers[name] = append(f.headers[name], r.Header.Get("Authorization"))
	f.mu.Unlock()

	if name == "Authenticate" {
		if f.auth != nil {
			f.auth(w, r, n)
			return
		}
		writeJSON(w, map[string]any{"access_token": fmt.Sprintf("tok-%d", n), "token_type": "Bearer", "expires_in": 3600, "issued_at": 1700000000})
		return
	}
	var body map[string]any
	raw, _ := io.ReadAll(r.Body)
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &body); err != nil {
			f.t.Errorf("%s: body is not JSON: %v", name, err)
		}
		if r.Header.Get("Content-Type") != "application/json" {
			f.t.Errorf("%s: Content-Type %q", name, r.Header.Get("Content-Type"))
		}
	}
	f.op(w, r, name, body)
}

func (f *fakeConnector) count(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[path]
}

func (f *fakeConnector) authHeaders(path string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.headers[path]...)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var (
	ctx   = context.Background()
	alice = User{AssociateID: 5, Email: "alice@example.com"}
	bob   = User{AssociateID: 6, Email: "bob@example.com"}
)

func okProduct(w http.ResponseWriter, r *http.Request, op string, body map[string]any) {
	writeJSON(w, map[string]any{"ERPProductKey": "P1", "Name": "Widget"})
}

func TestRetriesOnceOn401And403(t *testing.T) {
	for _, status := range []int{http.StatusUnauthorized, http.StatusForbidden} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			f, base := newFake(t, func(w http.ResponseWriter, r *http.Request, op string, body map[string]any) {
				http.Error(w, "go away", status)
			})
			c := New(base, SharedSecret("s3cret"))
			_, err := c.Call(ctx, alice, "GetProduct", map[string]any{"ErpProductKey": "P1"}, nil)
			var se *StatusError
			if !errors.As(err, &se) || se.Status != status || se.Op != "GetProduct" {
				t.Fatalf("err = %v, want StatusError %d for GetProduct", err, status)
			}
			if !strings.Contains(string(se.Body), "go away") {
				t.Errorf("StatusError.Body = %q", se.Body)
			}
			if n := f.count("Authenticate"); n != 2 {
				t.Errorf("/Authenticate called %d times, want 2", n)
			}
			if got, want := f.authHeaders("GetProduct"), []string{"Bearer tok-1", "Bearer tok-2"}; fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("GetProduct Authorization = %v, want %v", got, want)
			}
			if got := f.authHeaders("Authenticate"); got[0] != "Bearer s3cret" || got[1] != "Bearer s3cret" {
				t.Errorf("/Authenticate Authorization = %v", got)
			}
		})
	}
}

func TestReauthenticationSignsFreshJWT(t *testing.T) {
	f, base := newFake(t, func(w http.ResponseWriter, r *http.Request, op string, body map[string]any) {
		if r.Header.Get("Authorization") != "Bearer tok-2" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		okProduct(w, r, op, body)
	})
	var mu sync.Mutex
	var signed []User
	c := New(base, JWT(func(_ context.Context, u User) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		signed = append(signed, u)
		return fmt.Sprintf("jwt-%d", len(signed)), nil
	}))
	var p struct{ ERPProductKey, Name string }
	if _, err := c.Call(ctx, alice, "GetProduct", map[string]any{"ErpProductKey": "P1"}, &p); err != nil {
		t.Fatal(err)
	}
	if p.Name != "Widget" {
		t.Errorf("result = %+v", p)
	}
	if len(signed) != 2 || signed[0] != alice || signed[1] != alice {
		t.Errorf("signer calls = %v, want alice twice", signed)
	}
	if got := f.authHeaders("Authenticate"); fmt.Sprint(got) != "[Bearer jwt-1 Bearer jwt-2]" {
		t.Errorf("/Authenticate Authorization = %v", got)
	}
	// The new token is kept: no further authentication.
	if _, err := c.Call(ctx, alice, "GetProduct", map[string]any{"ErpProductKey": "P1"}, nil); err != nil {
		t.Fatal(err)
	}
	if n := f.count("Authenticate"); n != 2 {
		t.Errorf("/Authenticate called %d times, want 2", n)
	}
}

func TestSignerErrorSurfaces(t *testing.T) {
	f, base := newFake(t, okProduct)
	boom := errors.New("no key")
	c := New(base, JWT(func(context.Context, User) (string, error) { return "", boom }))
	if _, err := c.Call(ctx, alice, "GetProduct", nil, nil); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want %v", err, boom)
	}
	if f.count("Authenticate") != 0 || f.count("GetProduct") != 0 {
		t.Error("requests sent without a credential")
	}
}

func TestAuthenticateRefused(t *testing.T) {
	f, base := newFake(t, okProduct)
	f.auth = func(w http.ResponseWriter, r *http.Request, n int) { w.WriteHeader(http.StatusUnauthorized) }
	c := New(base, SharedSecret("wrong"))
	_, err := c.Call(ctx, alice, "GetProduct", nil, nil)
	var se *StatusError
	if !errors.As(err, &se) || se.Op != "Authenticate" || se.Status != http.StatusUnauthorized {
		t.Fatalf("err = %v, want StatusError 401 for Authenticate", err)
	}
	if f.count("GetProduct") != 0 {
		t.Error("operation called without a token")
	}
}

func TestNotImplementedRemembered(t *testing.T) {
	for _, status := range []int{http.StatusNotFound, http.StatusGone} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			f, base := newFake(t, func(w http.ResponseWriter, r *http.Request, op string, body map[string]any) {
				w.WriteHeader(status)
			})
			c := New(base, SharedSecret("s"))
			for i := range 2 {
				useDefault, err := c.Call(ctx, alice, "PlaceOrder", map[string]any{}, nil)
				if !errors.Is(err, ErrNotImplemented) || useDefault {
					t.Fatalf("call %d: useDefault=%v err=%v, want ErrNotImplemented", i+1, useDefault, err)
				}
			}
			// Per client, not per user.
			if _, err := c.Call(ctx, bob, "PlaceOrder", map[string]any{}, nil); !errors.Is(err, ErrNotImplemented) {
				t.Fatalf("bob: err = %v", err)
			}
			if n := f.count("PlaceOrder"); n != 1 {
				t.Errorf("server saw PlaceOrder %d times, want 1", n)
			}
			if n := c.Stats().Calls["PlaceOrder"]; n != 1 {
				t.Errorf("Stats.Calls[PlaceOrder] = %d, want 1", n)
			}
			// Another client starts afresh.
			if _, err := New(base, SharedSecret("s")).Call(ctx, alice, "PlaceOrder", map[string]any{}, nil); !errors.Is(err, ErrNotImplemented) {
				t.Fatal(err)
			}
			if n := f.count("PlaceOrder"); n != 2 {
				t.Errorf("server saw PlaceOrder %d times, want 2", n)
			}
		})
	}
}

func TestCalculationNotImplementedMeansDefault(t *testing.T) {
	f, base := newFake(t, func(w http.ResponseWriter, r *http.Request, op string, body map[string]any) {
		w.WriteHeader(http.StatusNotFound)
	})
	c := New(base, SharedSecret("s"))
	for _, op := range []string{"OnQuoteLineChanged", "RecalculateQuoteAlternative", "ValidateQuoteVersion", "UpdateQuoteVersionPrices"} {
		for i := range 2 {
			var res map[string]any
			useDefault, err := c.Call(ctx, alice, op, map[string]any{"Context": map[string]any{}}, &res)
			if err != nil || !useDefault {
				t.Errorf("%s call %d: useDefault=%v err=%v, want true, nil", op, i+1, useDefault, err)
			}
		}
		if n := f.count(op); n != 1 {
			t.Errorf("server saw %s %d times, want 1", op, n)
		}
	}
}

func TestNullResultMeansDefault(t *testing.T) {
	_, base := newFake(t, func(w http.ResponseWriter, r *http.Request, op string, body map[string]any) {
		switch op {
		case "RecalculateQuoteAlternative":
			writeJSON(w, nil)
		case "OnQuoteLineChanged":
			w.WriteHeader(http.StatusNoContent)
		default:
			writeJSON(w, map[string]any{"IsOk": true})
		}
	})
	c := New(base, SharedSecret("s"))
	res := map[string]any{"untouched": true}
	useDefault, err := c.Call(ctx, alice, "RecalculateQuoteAlternative", map[string]any{}, &res)
	if err != nil || !useDefault || !res["untouched"].(bool) {
		t.Errorf("null: useDefault=%v err=%v res=%v", useDefault, err, res)
	}
	if useDefault, err := c.Call(ctx, alice, "OnQuoteLineChanged", map[string]any{}, nil); err != nil || !useDefault {
		t.Errorf("no content: useDefault=%v err=%v", useDefault, err)
	}
	var ok struct{ IsOk bool }
	if useDefault, err := c.Call(ctx, alice, "ValidateQuoteVersion", map[string]any{}, &ok); err != nil || useDefault || !ok.IsOk {
		t.Errorf("object: useDefault=%v err=%v res=%+v", useDefault, err, ok)
	}
}

func TestBadResult(t *testing.T) {
	_, base := newFake(t, func(w http.ResponseWriter, r *http.Request, op string, body map[string]any) {
		_, _ = io.WriteString(w, "<html>")
	})
	c := New(base, SharedSecret("s"))
	var res map[string]any
	if _, err := c.Call(ctx, alice, "GetProduct", map[string]any{}, &res); err == nil {
		t.Fatal("want a decoding error")
	}
	if _, err := c.Call(ctx, alice, "../x", nil, nil); err == nil {
		t.Fatal("want an error for an invalid operation name")
	}
}

func TestOtherStatusIsNotRetried(t *testing.T) {
	f, base := newFake(t, func(w http.ResponseWriter, r *http.Request, op string, body map[string]any) {
		http.Error(w, "boom", http.StatusInternalServerError)
	})
	c := New(base, SharedSecret("s"))
	_, err := c.Call(ctx, alice, "GetProduct", map[string]any{}, nil)
	var se *StatusError
	if !errors.As(err, &se) || se.Status != http.StatusInternalServerError {
		t.Fatalf("err = %v", err)
	}
	if f.count("GetProduct") != 1 || f.count("Authenticate") != 1 {
		t.Errorf("hits = %v", f.hits)
	}
	// Not remembered: the next call goes out again.
	_, _ = c.Call(ctx, alice, "GetProduct", map[string]any{}, nil)
	if f.count("GetProduct") != 2 {
		t.Errorf("GetProduct hits = %d, want 2", f.count("GetProduct"))
	}
}

func TestAuthenticateBareString(t *testing.T) {
	f, base := newFake(t, func(w http.ResponseWriter, r *http.Request, op string, body map[string]any) {
		if r.Header.Get("Authorization") != "Bearer plain-token" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		okProduct(w, r, op, body)
	})
	f.auth = func(w http.ResponseWriter, r *http.Request, n int) { _, _ = io.WriteString(w, `"plain-token"`) }
	c := New(base, SharedSecret("s"))
	if _, err := c.Call(ctx, alice, "GetProduct", map[string]any{}, nil); err != nil {
		t.Fatal(err)
	}
	if n := f.count("Authenticate"); n != 1 {
		t.Errorf("/Authenticate called %d times, want 1", n)
	}
}

func TestAuthenticateWithoutToken(t *testing.T) {
	for name, answer := range map[string]string{"empty object": `{}`, "empty string": `""`, "mac": `{"access_token":"x","token_type":"mac"}`, "junk": `<html>`} {
		t.Run(name, func(t *testing.T) {
			f, base := newFake(t, okProduct)
			f.auth = func(w http.ResponseWriter, r *http.Request, n int) { _, _ = io.WriteString(w, answer) }
			if _, err := New(base, SharedSecret("s")).Call(ctx, alice, "GetProduct", nil, nil); err == nil {
				t.Fatal("want an error")
			}
		})
	}
}

func TestTokensPerUser(t *testing.T) {
	f, base := newFake(t, func(w http.ResponseWriter, r *http.Request, op string, body map[string]any) {
		writeJSON(w, r.Header.Get("Authorization"))
	})
	c := New(base, SharedSecret("s"))
	seen := map[User]string{}
	for range 2 {
		for _, u := range []User{alice, bob} {
			var auth string
			if _, err := c.Call(ctx, u, "GetProduct", map[string]any{}, &auth); err != nil {
				t.Fatal(err)
			}
			if prev, ok := seen[u]; ok && prev != auth {
				t.Errorf("%v: token changed from %s to %s", u, prev, auth)
			}
			seen[u] = auth
		}
	}
	if n := f.count("Authenticate"); n != 2 {
		t.Errorf("/Authenticate called %d times, want 2", n)
	}
	if seen[alice] == seen[bob] {
		t.Errorf("alice and bob share token %s", seen[alice])
	}
}

func TestConcurrentCallsShareOneTokenPerUser(t *testing.T) {
	f, base := capsServer(t, map[string]bool{"cache-pricelists": true})
	c := New(base, SharedSecret("s"))
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			u := alice
			if i%2 == 1 {
				u = bob
			}
			if _, err := c.Call(ctx, u, "GetProduct", map[string]any{"ErpProductKey": "P1"}, nil); err != nil {
				t.Error(err)
			}
			if _, err := c.Capabilities(ctx, u); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := f.count("Authenticate"); n != 2 {
		t.Errorf("/Authenticate called %d times, want 2", n)
	}
	s := c.Stats()
	if s.Calls["GetProduct"] != 40 || s.Calls["GetCapabilities"]+s.Saved["GetCapabilities"] != 40 {
		t.Errorf("stats = %+v", s)
	}
}

// capsServer answers GetCapabilities with caps and every other operation with its
// request body echoed, tagged with a per-operation serial number.
func capsServer(t *testing.T, caps map[string]bool) (*fakeConnector, string) {
	var mu sync.Mutex
	serial := map[string]int{}
	return newFake(t, func(w http.ResponseWriter, r *http.Request, op string, body map[string]any) {
		if op == "GetCapabilities" {
			writeJSON(w, caps)
			return
		}
		mu.Lock()
		serial[op]++
		n := serial[op]
		mu.Unlock()
		writeJSON(w, map[string]any{"n": n, "body": body})
	})
}

func TestCapabilitiesCachedThirtyMinutes(t *testing.T) {
	f, base := capsServer(t, map[string]bool{"cache-pricelists": true, "iproductprovider_provide_picture": false})
	clk := newClock()
	c := New(base, SharedSecret("s"), WithClock(clk.now))
	caps, err := c.Capabilities(ctx, alice)
	if err != nil || !caps["cache-pricelists"] || caps["no-cache-quotelists"] {
		t.Fatalf("caps = %v, err = %v", caps, err)
	}
	caps["cache-pricelists"] = false // callers get their own copy
	clk.advance(29 * time.Minute)
	if caps, _ = c.Capabilities(ctx, alice); !caps["cache-pricelists"] {
		t.Error("cached capabilities were changed through a returned map")
	}
	if n := f.count("GetCapabilities"); n != 1 {
		t.Fatalf("at 29 min: GetCapabilities called %d times, want 1", n)
	}
	if _, err := c.Capabilities(ctx, bob); err != nil {
		t.Fatal(err)
	}
	if n := f.count("GetCapabilities"); n != 2 {
		t.Fatalf("second user: GetCapabilities called %d times, want 2", n)
	}
	clk.advance(time.Minute + time.Second) // alice: 30 min + 1 s
	if _, err := c.Capabilities(ctx, alice); err != nil {
		t.Fatal(err)
	}
	if n := f.count("GetCapabilities"); n != 3 {
		t.Fatalf("after 30 min: GetCapabilities called %d times, want 3", n)
	}
	if f.authHeaders("GetCapabilities")[0] == "" {
		t.Error("GetCapabilities sent without Authorization")
	}
}

func TestQuoteListCaching(t *testing.T) {
	t.Run("cached", func(t *testing.T) {
		f, base := capsServer(t, map[string]bool{"ilistprovider_provide_paymentterms": true})
		clk := newClock()
		c := New(base, SharedSecret("s"), WithClock(clk.now))
		call := func(u User, list string) int {
			t.Helper()
			var res struct{ N int }
			if _, err := c.Call(ctx, u, "GetQuoteList", map[string]any{"QuoteListType": list}, &res); err != nil {
				t.Fatal(err)
			}
			return res.N
		}
		if call(alice, "PaymentTerms") != 1 || call(alice, "paymentterms") != 1 {
			t.Error("list names are case-insensitive and cached")
		}
		if call(alice, "DeliveryTerms") != 2 || call(bob, "PaymentTerms") != 3 {
			t.Error("lists are cached per user and name")
		}
		clk.advance(29 * time.Minute)
		if call(alice, "PaymentTerms") != 1 {
			t.Error("re-fetched before 30 minutes")
		}
		clk.advance(time.Minute + time.Second)
		if call(alice, "PaymentTerms") != 4 {
			t.Error("not re-fetched after 30 minutes")
		}
		if n := f.count("GetQuoteList"); n != 4 {
			t.Errorf("GetQuoteList called %d times, want 4", n)
		}
	})
	t.Run("no-cache-quotelists", func(t *testing.T) {
		f, base := capsServer(t, map[string]bool{"no-cache-quotelists": true})
		c := New(base, SharedSecret("s"), WithClock(newClock().now))
		for range 3 {
			if _, err := c.Call(ctx, alice, "GetQuoteList", map[string]any{"QuoteListType": "PaymentTerms"}, nil); err != nil {
				t.Fatal(err)
			}
		}
		if n := f.count("GetQuoteList"); n != 3 {
			t.Errorf("GetQuoteList called %d times, want 3", n)
		}
		if n := f.count("GetCapabilities"); n != 1 {
			t.Errorf("GetCapabilities called %d times, want 1", n)
		}
	})
	t.Run("no GetCapabilities", func(t *testing.T) {
		f, base := newFake(t, func(w http.ResponseWriter, r *http.Request, op string, body map[string]any) {
			if op == "GetCapabilities" {
				w.WriteHeader(http.StatusNotFound)
				return
			}
			writeJSON(w, []any{})
		})
		c := New(base, SharedSecret("s"), WithClock(newClock().now))
		for range 2 {
			if _, err := c.Call(ctx, alice, "GetQuoteList", map[string]any{"QuoteListType": "PaymentTerms"}, nil); err != nil {
				t.Fatal(err)
			}
		}
		if f.count("GetQuoteList") != 1 || f.count("GetCapabilities") != 1 {
			t.Errorf("hits = %v", f.hits)
		}
	})
	t.Run("capabilities fail", func(t *testing.T) {
		f, base := newFake(t, func(w http.ResponseWriter, r *http.Request, op string, body map[string]any) {
			w.WriteHeader(http.StatusBadGateway)
		})
		c := New(base, SharedSecret("s"))
		var se *StatusError
		if _, err := c.Call(ctx, alice, "GetQuoteList", map[string]any{"QuoteListType": "x"}, nil); !errors.As(err, &se) || se.Op != "GetCapabilities" {
			t.Fatalf("err = %v", err)
		}
		if f.count("GetQuoteList") != 0 {
			t.Error("GetQuoteList called")
		}
	})
}

func TestPriceListCaching(t *testing.T) {
	for _, cache := range []bool{false, true} {
		t.Run(fmt.Sprint("cache-pricelists=", cache), func(t *testing.T) {
			f, base := capsServer(t, map[string]bool{"cache-pricelists": cache})
			clk := newClock()
			c := New(base, SharedSecret("s"), WithClock(clk.now))
			call := func(u User, op, cur string) {
				t.Helper()
				if _, err := c.Call(ctx, u, op, map[string]any{"IsoCurrencyCode": cur}, nil); err != nil {
					t.Fatal(err)
				}
			}
			call(alice, "GetActivePriceLists", "NOK")
			call(alice, "GetActivePriceLists", "nok")
			call(alice, "GetActivePriceLists", "EUR")
			call(bob, "GetActivePriceLists", "NOK")
			call(alice, "GetAllPriceLists", "NOK")
			call(alice, "GetAllPriceLists", "NOK")
			clk.advance(29 * time.Minute)
			call(alice, "GetActivePriceLists", "NOK")
			active, all := 3, 1
			if !cache {
				active, all = 5, 2
			}
			if n := f.count("GetActivePriceLists"); n != active {
				t.Errorf("GetActivePriceLists called %d times, want %d", n, active)
			}
			if n := f.count("GetAllPriceLists"); n != all {
				t.Errorf("GetAllPriceLists called %d times, want %d", n, all)
			}
			clk.advance(time.Minute + time.Second)
			call(alice, "GetActivePriceLists", "NOK")
			if n := f.count("GetActivePriceLists"); n != active+1 {
				t.Errorf("after 30 min: GetActivePriceLists called %d times, want %d", n, active+1)
			}
		})
	}
}

func TestSearchableFieldsOncePerClient(t *testing.T) {
	f, base := capsServer(t, nil)
	clk := newClock()
	c := New(base, SharedSecret("s"), WithClock(clk.now))
	for _, u := range []User{alice, bob, alice} {
		var res struct{ N int }
		if _, err := c.Call(ctx, u, "GetSearchableFields", nil, &res); err != nil || res.N != 1 {
			t.Fatalf("res = %+v, err = %v", res, err)
		}
		clk.advance(24 * time.Hour)
	}
	if n := f.count("GetSearchableFields"); n != 1 {
		t.Errorf("GetSearchableFields called %d times, want 1", n)
	}
	if n := c.Stats().Saved["GetSearchableFields"]; n != 2 {
		t.Errorf("Saved = %d, want 2", n)
	}
}

func TestProductImagesCachedPerKey(t *testing.T) {
	f, base := capsServer(t, nil)
	clk := newClock()
	c := New(base, SharedSecret("s"), WithClock(clk.now))
	image := func(u User, key string, rank int) int {
		t.Helper()
		var res struct{ N int }
		if _, err := c.Call(ctx, u, "GetProductImage", map[string]any{"ErpProductKey": key, "Rank": rank}, &res); err != nil {
			t.Fatal(err)
		}
		clk.advance(time.Hour)
		return res.N
	}
	count := func(key string) int {
		t.Helper()
		var res struct{ N int }
		if _, err := c.Call(ctx, alice, "GetNumberOfProductImages", map[string]any{"ERPProductKey": key}, &res); err != nil {
			t.Fatal(err)
		}
		return res.N
	}
	got := []int{image(alice, "P1", 1), image(bob, "P1", 1), image(alice, "P1", 2), image(alice, "P2", 1), image(alice, "P1", 1)}
	if fmt.Sprint(got) != "[1 1 2 3 1]" {
		t.Errorf("GetProductImage serials = %v", got)
	}
	if got := []int{count("P1"), count("P2"), count("P1")}; fmt.Sprint(got) != "[1 2 1]" {
		t.Errorf("GetNumberOfProductImages serials = %v", got)
	}
	if f.count("GetProductImage") != 3 || f.count("GetNumberOfProductImages") != 2 {
		t.Errorf("hits = %v", f.hits)
	}
}

func TestUncachedOperationsAlwaysCall(t *testing.T) {
	f, base := capsServer(t, nil)
	c := New(base, SharedSecret("s"))
	for range 3 {
		if _, err := c.Call(ctx, alice, "FindProduct", map[string]any{"UserInput": "%"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if f.count("FindProduct") != 3 || f.count("GetCapabilities") != 0 {
		t.Errorf("hits = %v", f.hits)
	}
}

func TestBasicMode(t *testing.T) {
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte("Cust1234:s3cret"))
	f, base := newFake(t, func(w http.ResponseWriter, r *http.Request, op string, body map[string]any) {
		if r.Header.Get("Authorization") != want {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if op == "GetCapabilities" {
			writeJSON(w, map[string]bool{})
			return
		}
		okProduct(w, r, op, body)
	})
	c := NewBasic(base, "Cust1234", "s3cret")
	for _, u := range []User{alice, bob} {
		if _, err := c.Call(ctx, u, "GetProduct", map[string]any{"ErpProductKey": "P1"}, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Capabilities(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.count("Authenticate"); n != 0 {
		t.Errorf("/Authenticate called %d times in Basic mode", n)
	}
	if got := f.authHeaders("GetProduct"); len(got) != 2 || got[0] != want || got[1] != want {
		t.Errorf("GetProduct Authorization = %v", got)
	}

	// A refused secret is not retried: there is no fresh credential to offer.
	_, err := NewBasic(base, "Cust1234", "wrong").Call(ctx, alice, "GetProduct", nil, nil)
	var se *StatusError
	if !errors.As(err, &se) || se.Status != http.StatusUnauthorized {
		t.Fatalf("err = %v", err)
	}
	if n := f.count("GetProduct"); n != 3 {
		t.Errorf("GetProduct called %d times, want 3", n)
	}
}

func TestStats(t *testing.T) {
	_, base := newFake(t, func(w http.ResponseWriter, r *http.Request, op string, body map[string]any) {
		switch op {
		case "GetCapabilities":
			writeJSON(w, map[string]bool{"cache-pricelists": true})
		case "PlaceOrder":
			w.WriteHeader(http.StatusNotFound)
		case "GetProduct":
			if r.Header.Get("Authorization") == "Bearer tok-1" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			writeJSON(w, map[string]any{})
		default:
			writeJSON(w, []any{})
		}
	})
	c := New(base, SharedSecret("s"), WithClock(newClock().now))
	calls := []struct {
		op  string
		req any
	}{
		{"GetActivePriceLists", map[string]any{"IsoCurrencyCode": "NOK"}}, // caps fetched, then the lists
		{"GetActivePriceLists", map[string]any{"IsoCurrencyCode": "NOK"}}, // lists from cache (the caps look-up is no saved call)
		{"GetCapabilities", nil},              // from cache
		{"GetProduct", map[string]any{}},      // 401, re-authentication, retry
		{"PlaceOrder", map[string]any{}},      // 404
		{"PlaceOrder", map[string]any{}},      // remembered, not a call
		{"GetSearchableFields", nil},          // call
		{"GetSearchableFields", nil},          // cache
		{"GetProductImage", map[string]any{}}, // call
	}
	for _, cl := range calls {
		_, _ = c.Call(ctx, alice, cl.op, cl.req, nil)
	}
	s := c.Stats()
	wantCalls := map[string]int{"Authenticate": 2, "GetCapabilities": 1, "GetActivePriceLists": 1, "GetProduct": 2, "PlaceOrder": 1, "GetSearchableFields": 1, "GetProductImage": 1}
	wantSaved := map[string]int{"GetCapabilities": 1, "GetActivePriceLists": 1, "GetSearchableFields": 1}
	if fmt.Sprint(s.Calls) != fmt.Sprint(wantCalls) {
		t.Errorf("Calls = %v, want %v", s.Calls, wantCalls)
	}
	if fmt.Sprint(s.Saved) != fmt.Sprint(wantSaved) {
		t.Errorf("Saved = %v, want %v", s.Saved, wantSaved)
	}
	s.Calls["GetProduct"] = 99
	if c.Stats().Calls["GetProduct"] != 2 {
		t.Error("Stats returned the client's own map")
	}
}
