package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/openapi/model"
	"github.com/quotekit/quotekit/server"
	"github.com/quotekit/quotekit/server/auth"
)

// do sends a raw request and returns status, headers and body.
func do(t *testing.T, method, url, contentType, authz string, body io.Reader, header ...string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, got
}

func TestMalformedRequests(t *testing.T) {
	base := start(t, &shop{}, &fakeAuth{}, server.WithBodyLimit(4096))
	big := `{"UserInput":"` + strings.Repeat("x", 5000) + `"}`
	tests := []struct {
		name        string
		method      string
		path        string
		contentType string
		body        string
		chunked     bool
		status      int
		problem     string
		detail      string
	}{
		{"XML body", "POST", "/FindProduct", "application/xml", `<UserInput>a</UserInput>`, false, 415, "unsupported-media-type", ""},
		{"form body", "POST", "/FindProduct", "application/x-www-form-urlencoded", `UserInput=a`, false, 415, "unsupported-media-type", ""},
		{"no content type", "POST", "/FindProduct", "", `{"UserInput":"a"}`, false, 415, "unsupported-media-type", ""},
		{"malformed JSON", "POST", "/FindProduct", "application/json", `{"UserInput":`, false, 400, "malformed-request", "the request body is not valid JSON"},
		{"trailing data", "POST", "/FindProduct", "application/json", `{"UserInput":"a"} {"UserInput":"b"}`, false, 400, "malformed-request", "the request body holds more than one JSON value"},
		{"wrong member type", "POST", "/FindProduct", "application/json", `{"UserInput":5}`, false, 400, "malformed-request", "member UserInput must be a JSON string"},
		{"not an object", "POST", "/FindProduct", "application/json", `[1,2]`, false, 400, "malformed-request", "the request body must be a JSON object"},
		{"required body missing", "POST", "/FindProduct", "application/json", ``, false, 400, "malformed-request", "The operation needs a JSON request body."},
		{"too large", "POST", "/FindProduct", "application/json", big, false, 413, "payload-too-large", ""},
		{"too large, chunked", "POST", "/FindProduct", "application/json", big, true, 413, "payload-too-large", ""},
		{"wrong method", "GET", "/FindProduct", "", ``, false, 405, "method-not-allowed", ""},
		{"unknown path", "POST", "/FindProducts", "application/json", `{}`, false, 404, "not-found", ""},
		{"path case differs", "POST", "/findproduct", "application/json", `{}`, false, 404, "not-found", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader = strings.NewReader(tt.body)
			if tt.chunked {
				body = io.MultiReader(body) // hides the length: sent chunked
			}
			status, header, got := do(t, tt.method, base+tt.path, tt.contentType, "Bearer good", body)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, got)
			}
			p := problemOf(t, status, header, got)
			if p["type"] != server.ProblemTypeBase+tt.problem {
				t.Errorf("type %v, want %s", p["type"], tt.problem)
			}
			if tt.detail != "" && p["detail"] != tt.detail {
				t.Errorf("detail %q, want %q", p["detail"], tt.detail)
			}
			if bytes.Contains(got, []byte("Unmarshal")) || bytes.Contains(got, []byte("invalid character")) {
				t.Errorf("decoder internals in body: %s", got)
			}
			if status == 405 && header.Get("Allow") == "" {
				t.Error("405 without Allow")
			}
		})
	}
	t.Run("optional body may be missing", func(t *testing.T) {
		status, _, got := do(t, "POST", base+"/GetCapabilities", "", "Bearer good", nil)
		if status != http.StatusOK || !bytes.Contains(got, []byte(connector.CapProvideCost)) {
			t.Errorf("status %d: %s", status, got)
		}
	})
	t.Run("charset and +json media types", func(t *testing.T) {
		for _, ct := range []string{"application/json; charset=utf-8", "application/vnd.superoffice+json"} {
			if status, _, got := do(t, "POST", base+"/FindProduct", ct, "Bearer good", strings.NewReader(`{"UserInput":"hose"}`)); status != 200 {
				t.Errorf("%s: status %d: %s", ct, status, got)
			}
		}
	})
}

func TestAuthenticationFailures(t *testing.T) {
	base := start(t, &shop{}, &fakeAuth{})
	tests := []struct {
		name      string
		authz     string
		body      string
		status    int
		challenge string
		problem   string
	}{
		{"no credential", "", `{"UserInput":"a"}`, 401, `Bearer realm="quotekit"`, "unauthenticated"},
		{"no credential beats a bad body", "", `{"UserInput":`, 401, `Bearer realm="quotekit"`, "unauthenticated"},
		{"wrong credential", "Bearer bad", `{"UserInput":"a"}`, 401, `Bearer realm="quotekit", error="invalid_token", error_description="Invalid credential"`, "invalid-token"},
		{"malformed header", "Bearer ", `{"UserInput":"a"}`, 400, `Bearer realm="quotekit", error="invalid_request", error_description="Malformed credential"`, "invalid-request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, header, got := do(t, "POST", base+"/FindProduct", "application/json", tt.authz, strings.NewReader(tt.body))
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, got)
			}
			if header.Get("WWW-Authenticate") != tt.challenge {
				t.Errorf("WWW-Authenticate %q, want %q", header.Get("WWW-Authenticate"), tt.challenge)
			}
			if p := problemOf(t, status, header, got); p["type"] != server.ProblemTypeBase+tt.problem {
				t.Errorf("type %v", p["type"])
			}
		})
	}

	scripted := func(err error) string {
		return start(t, &shop{}, &fakeAuth{authenticate: func(*http.Request) (connector.Tenant, error) {
			return connector.Tenant{}, err
		}})
	}
	t.Run("rate limited is 429, not an auth failure", func(t *testing.T) {
		status, header, got := do(t, "POST", scripted(&auth.RateLimitedError{RetryAfter: 1500 * time.Millisecond})+"/FindProduct", "application/json", "Bearer good", strings.NewReader(`{}`))
		if status != 429 || header.Get("Retry-After") != "2" || header.Get("WWW-Authenticate") != "" {
			t.Errorf("status %d, Retry-After %q, challenge %q: %s", status, header.Get("Retry-After"), header.Get("WWW-Authenticate"), got)
		}
	})
	t.Run("forbidden", func(t *testing.T) {
		status, header, _ := do(t, "POST", scripted(auth.ErrForbidden)+"/FindProduct", "application/json", "Bearer good", strings.NewReader(`{}`))
		if status != 403 || !strings.Contains(header.Get("WWW-Authenticate"), `error="insufficient_scope"`) {
			t.Errorf("status %d, challenge %q", status, header.Get("WWW-Authenticate"))
		}
	})
	t.Run("store unavailable", func(t *testing.T) {
		status, header, _ := do(t, "POST", scripted(auth.ErrUnavailable)+"/FindProduct", "application/json", "Bearer good", strings.NewReader(`{}`))
		if status != 503 || header.Get("Retry-After") == "" {
			t.Errorf("status %d, Retry-After %q", status, header.Get("Retry-After"))
		}
	})
	t.Run("the connector sees the tenant of the credential", func(t *testing.T) {
		var got connector.Tenant
		conn := &tenantProbe{seen: func(t connector.Tenant) { got = t }}
		c := newClient(t, start(t, conn, &fakeAuth{}))
		resp, err := c.post("FindProduct")(context.Background(), "application/json", strings.NewReader(`{"UserInput":"x"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got.ID != "Cust12345" {
			t.Errorf("tenant %+v", got)
		}
	})
}

type tenantProbe struct {
	connector.Unsupported
	seen func(connector.Tenant)
}

func (p *tenantProbe) FindProduct(ctx context.Context, _ *connector.FindProductRequest) ([]connector.ProductInfo, error) {
	t, _ := connector.TenantFrom(ctx)
	p.seen(t)
	return nil, nil
}

func TestTokenEndpoints(t *testing.T) {
	t.Run("success is an RFC 6749 answer, never cached", func(t *testing.T) {
		base := start(t, &shop{}, &fakeAuth{})
		for _, path := range []string{"/Authenticate", "/oauth/access_token"} {
			status, header, got := do(t, "POST", base+path, "", "Bearer qk_sk_test_x", nil)
			var tok model.AccessTokenResponse
			if status != 200 || json.Unmarshal(got, &tok) != nil || tok.AccessToken == "" || tok.TokenType != "Bearer" {
				t.Fatalf("%s: status %d: %s", path, status, got)
			}
			if header.Get("Cache-Control") != "no-store" || header.Get("Pragma") != "no-cache" {
				t.Errorf("%s: Cache-Control %q", path, header.Get("Cache-Control"))
			}
		}
	})
	refused := &fakeAuth{token: func(*http.Request) (*model.AccessTokenResponse, error) { return nil, auth.ErrInvalidCredential }}
	base := start(t, &shop{}, refused)
	tests := []struct {
		name, path, authz, challenge string
	}{
		{"bearer refused", "/Authenticate", "Bearer wrong", `Bearer realm="quotekit", error="invalid_token", error_description="Invalid credential"`},
		{"basic refused", "/Authenticate", "Basic Q3VzdDE6eA==", `Basic realm="quotekit"`},
		{"client credentials in the form", "/oauth/access_token", "", `Basic realm="quotekit"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, header, got := do(t, "POST", base+tt.path, "", tt.authz, nil)
			if status != 401 || header.Get("WWW-Authenticate") != tt.challenge {
				t.Errorf("status %d, challenge %q, want %q", status, header.Get("WWW-Authenticate"), tt.challenge)
			}
			if header.Get("Content-Type") != "application/json" {
				t.Errorf("Content-Type %q, want application/json (RFC 6749 §5.2)", header.Get("Content-Type"))
			}
			var e model.TokenError
			if err := json.Unmarshal(got, &e); err != nil || e.Error != "invalid_client" || e.RequestId == "" || e.Status != 401 {
				t.Errorf("body %s", got)
			}
		})
	}
	t.Run("wrong method", func(t *testing.T) {
		if status, _, _ := do(t, "GET", base+"/Authenticate", "", "", nil); status != 405 {
			t.Errorf("status %d, want 405 (never 404)", status)
		}
	})
}

// hang ignores its context and answers only when released.
type hang struct {
	connector.Unsupported
	release chan struct{}
	calls   atomic.Int32
}

func (h *hang) FindProduct(context.Context, *connector.FindProductRequest) ([]connector.ProductInfo, error) {
	h.calls.Add(1)
	<-h.release
	return nil, nil
}

func (h *hang) GetProduct(context.Context, *connector.GetProductRequest) (*connector.ProductInfo, error) {
	panic("nil map somewhere in the ERP adapter")
}

func TestDeadlineAndPanic(t *testing.T) {
	h := &hang{release: make(chan struct{})}
	t.Cleanup(func() { close(h.release) })
	base := start(t, h, &fakeAuth{}, server.WithCallTimeout(time.Second))

	status, header, got := do(t, "POST", base+"/FindProduct", "application/json", "Bearer good", strings.NewReader(`{"UserInput":"a"}`))
	if status != http.StatusGatewayTimeout {
		t.Fatalf("status %d, want 504: %s", status, got)
	}
	problemOf(t, status, header, got)

	status, header, got = do(t, "POST", base+"/GetProduct", "application/json", "Bearer good", strings.NewReader(`{"ErpProductKey":"a"}`))
	if status != http.StatusInternalServerError || bytes.Contains(got, []byte("nil map")) {
		t.Fatalf("panic: status %d: %s", status, got)
	}
	problemOf(t, status, header, got)

	// The server still serves after both.
	if status, _, got := do(t, "POST", base+"/GetCapabilities", "", "Bearer good", nil); status != 200 {
		t.Errorf("after a panic: status %d: %s", status, got)
	}
}

func TestRequestID(t *testing.T) {
	base := start(t, connector.Unsupported{}, &fakeAuth{})
	_, header, got := do(t, "POST", base+"/PlaceOrder", "application/json", "Bearer good", strings.NewReader(`{}`), "X-Request-Id", "netserver-42")
	if header.Get("X-Request-Id") != "netserver-42" || !bytes.Contains(got, []byte(`"request_id":"netserver-42"`)) {
		t.Errorf("caller's id not kept: %q %s", header.Get("X-Request-Id"), got)
	}
	_, header, _ = do(t, "POST", base+"/PlaceOrder", "application/json", "Bearer good", strings.NewReader(`{}`), "X-Request-Id", "bad id\twith spaces")
	if id := header.Get("X-Request-Id"); id == "" || strings.Contains(id, " ") {
		t.Errorf("unsafe id kept: %q", id)
	}
}

func TestOpenAPIDocument(t *testing.T) {
	base := start(t, connector.Unsupported{}, &fakeAuth{})
	status, _, got := do(t, "GET", base+"/openapi.json", "", "", nil)
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if status != 200 || json.Unmarshal(got, &doc) != nil {
		t.Fatalf("status %d", status)
	}
	for path := range doc.Paths {
		if strings.HasPrefix(path, "/admin/") {
			delete(doc.Paths, path) // the admin API, served on its own listener
		}
	}
	if doc.OpenAPI != "3.0.3" || len(doc.Paths) != 29 {
		t.Errorf("openapi %q with %d paths, want 3.0.3 with 27 operations and 2 token endpoints", doc.OpenAPI, len(doc.Paths))
	}
	for path, ops := range doc.Paths {
		if _, ok := ops["post"]; !ok || len(ops) != 1 {
			t.Errorf("%s: %d methods, want POST only", path, len(ops))
		}
	}
}
