package console_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/internal/servetest"
	"github.com/quotekit/quotekit/tenancy"
)

// deployment is a running server with its admin listener, the console on it.
type deployment struct {
	*servetest.Server
	Admin string // the admin listener's base URL
}

func deploy(t *testing.T) *deployment {
	t.Helper()
	srv := servetest.Start(t, servetest.Crate{}, "--admin-addr", "127.0.0.1:0")
	if srv.Ready.AdminURL == "" {
		t.Fatal("no admin listener")
	}
	return &deployment{Server: srv, Admin: srv.Ready.AdminURL}
}

// adminKey creates an admin key with the scopes and returns it.
func (d *deployment) adminKey(t *testing.T, name string, scopes ...tenancy.Scope) (string, tenancy.AdminKey) {
	t.Helper()
	plain, k, err := d.Ready.Admin.CreateAdminKey(context.Background(), name, scopes, connector.EnvironmentTest, "test")
	if err != nil {
		t.Fatal(err)
	}
	return plain, k
}

// every scope, for a key that may do everything.
var allScopes = tenancy.AllScopes

// browser is an HTTP client with a cookie jar that does not follow redirects, as a
// browser on the console's own pages: POSTs carry the console's Origin.
type browser struct {
	t    *testing.T
	base string
	hc   *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, base: base, hc: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.hc.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return page{resp.StatusCode, resp.Header, string(body)}
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// post sends a form as the console's own page would (Origin and Sec-Fetch-Site set).
func (b *browser) post(path string, form url.Values, headers ...string) page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return b.do(req)
}

func (b *browser) signIn(key string) {
	b.t.Helper()
	p := b.post("/console/signin", url.Values{"key": {key}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/console/tenants" {
		b.t.Fatalf("sign-in answered %d to %q:\n%s", p.status, p.header.Get("Location"), p.body)
	}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf reads the synchronizer token from a page's forms.
func csrf(t *testing.T, p page) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no CSRF token on the page:\n%s", p.body)
	}
	return m[1]
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
