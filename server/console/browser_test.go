package console_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/quotekit/quotekit/soap"
	"github.com/quotekit/quotekit/tenancy"
)

// stepTimeout bounds every browser step: a navigation, a click and what it waits for.
const stepTimeout = 30 * time.Second

// chromium returns the path of a Chromium or Chrome binary, skipping the test without one
// (failing it when QUOTEKIT_REQUIRE_CHROMIUM=1, as CI sets).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("QUOTEKIT_REQUIRE_CHROMIUM") == "1" {
		t.Fatal("chromium not found, and QUOTEKIT_REQUIRE_CHROMIUM=1 (apt install chromium)")
	}
	t.Skip("browser tests skipped: chromium not found (apt install chromium)")
	return ""
}

// tab is one headless Chromium tab with a fresh profile.
type tab struct {
	t       *testing.T
	ctx     context.Context
	shots   string
	counter int
}

func newTab(t *testing.T) *tab {
	t.Helper()
	exe := chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox, // the tests may run as root
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	// The first run starts the browser, which lives as long as that run's context: so
	// it gets no deadline of its own, and the wait for it is bounded here instead.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("start chromium: %v", err)
		}
	case <-time.After(stepTimeout):
		cancelTab()
		t.Fatalf("chromium did not start within %v", stepTimeout)
	}
	shots := os.Getenv("QUOTEKIT_CONSOLE_SCREENSHOTS") // to keep them after the test
	if shots == "" {
		shots = filepath.Join(t.TempDir(), "screenshots")
	}
	if err := os.MkdirAll(shots, 0o755); err != nil { //nolint:gosec // the directory the person running the test asked for
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", shots)
	return &tab{t: t, ctx: ctx, shots: shots}
}

// run runs steps within stepTimeout.
func (b *tab) run(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	get(b, what, chromedp.Steps(steps...))
}

// get runs one action within stepTimeout and returns its value.
func get[T any](b *tab, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		lctx, lcancel := context.WithTimeout(b.ctx, 5*time.Second)
		defer lcancel()
		loc, _ := chromedp.Run(lctx, chromedp.Location())
		b.t.Fatalf("%s: %v (at %s)", what, err, loc)
	}
	return v
}

// text returns the visible text of the page's main element.
func (b *tab) text() string {
	b.t.Helper()
	return get(b, "read the page", chromedp.Text(chromedp.CSS("main")))
}

// shot saves a full-page PNG screenshot named name.
func (b *tab) shot(name string) {
	b.t.Helper()
	png := get(b, "screenshot "+name, chromedp.FullScreenshot(100))
	b.counter++
	path := filepath.Join(b.shots, fmt.Sprintf("%02d-%s.png", b.counter, name))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot %s", path)
}

var secretPattern = regexp.MustCompile(`^qk_sk_test_\S+$`)

// TestBrowser drives the console in real Chromium through an operator's tasks.
func TestBrowser(t *testing.T) {
	b := newTab(t)
	d := deploy(t)
	key, k := d.adminKey(t, "browser test", allScopes...)
	actor := tenancy.AdminKeyActor(k.ID)
	con := d.Admin + "/console"

	// Sign in.
	b.run("open the sign-in page", chromedp.Navigate(con+"/"), chromedp.WaitVisible(chromedp.ID("#key")))
	b.shot("signin")
	b.run("sign in", chromedp.SendKeys(chromedp.ID("#key"), key), chromedp.Submit(chromedp.ID("#key")),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/console/tenants/new"]`)))
	if s := b.text(); !strings.Contains(s, "Cust12345") {
		t.Fatalf("the tenants page lacks the tenant:\n%s", s)
	}
	b.shot("tenants")

	// Add a tenant.
	b.run("add a tenant", chromedp.Click(chromedp.CSS(`a[href="/console/tenants/new"]`)),
		chromedp.WaitVisible(chromedp.ID("#id")),
		chromedp.SendKeys(chromedp.ID("#id"), "Cust4711"), chromedp.SendKeys(chromedp.ID("#name"), "Browser customer"),
		chromedp.SendKeys(chromedp.ID("#app_ids"), "quotekit-browser"))
	b.shot("tenant-new")
	b.run("save the tenant", chromedp.Submit(chromedp.ID("#id")),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/console/tenants/Cust4711/secrets"]`)))
	if _, err := d.Ready.Store.Tenant(context.Background(), "Cust4711"); err != nil {
		t.Fatalf("the tenant was not added: %v", err)
	}

	// Create a secret: shown once, gone after a reload.
	b.run("create a secret", chromedp.Click(chromedp.CSS(`form[action="/console/tenants/Cust4711/secrets"] button`)),
		chromedp.WaitVisible(chromedp.ID("#secret-value")))
	first := get(b, "read the secret", chromedp.Value(chromedp.ID("secret-value")))
	if !secretPattern.MatchString(first) {
		t.Fatalf("the page shows %q, not a test secret", first)
	}
	copyHidden := get(b, "the copy button", chromedp.Evaluate[bool](`document.querySelector("button.copy").hidden`))
	if copyHidden {
		t.Error("the copy button stayed hidden: the script did not run")
	}
	b.shot("secret-shown")
	b.run("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(".problem")))
	html := get(b, "read the reloaded page", chromedp.OuterHTML(chromedp.CSS("html")))
	if strings.Contains(html, first) || !strings.Contains(html, "shown once and is gone") {
		t.Fatalf("after a reload the page still shows the secret, or does not say it is gone")
	}
	b.shot("secret-gone")

	// Roll it with a one-hour overlap: both secrets active.
	b.run("open the tenant", chromedp.Navigate(con+"/tenants/Cust4711"), chromedp.WaitVisible(chromedp.CSS(`select[name="overlap"]`)))
	b.run("roll with 1 h", chromedp.SetValue(chromedp.CSS(`select[name="overlap"]`), "1h"),
		chromedp.Click(chromedp.CSS(`form[action$="/roll"] button`)), chromedp.WaitVisible(chromedp.ID("#secret-value")))
	second := get(b, "read the rolled secret", chromedp.Value(chromedp.ID("secret-value")))
	if !secretPattern.MatchString(second) || second == first {
		t.Fatalf("the roll shows %q", second)
	}
	b.shot("secret-rolled")
	secrets, err := d.Ready.Store.SecretsOf(context.Background(), "Cust4711")
	if err != nil || len(secrets) != 2 {
		t.Fatalf("secrets %v %v", secrets, err)
	}
	old := secrets[1] // newest first
	if exp := time.Until(old.ExpiresAt); exp < 50*time.Minute || exp > 61*time.Minute {
		t.Errorf("the old secret expires in %v, want an hour", exp)
	}
	b.run("open the tenant", chromedp.Navigate(con+"/tenants/Cust4711"), chromedp.WaitVisible(chromedp.CSS("td.state")))
	readStates := chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("td.state")).map(e => e.textContent)`)
	states := get(b, "read the states", readStates)
	if strings.Join(states, "|") != "active|active, expiring" {
		t.Errorf("secret states %q, want both active, the old one expiring", states)
	}
	b.shot("tenant-two-secrets")

	// Revoke the old one, after confirming.
	revoke := fmt.Sprintf(`a[href="/console/tenants/Cust4711/secrets/%d/revoke"]`, old.ID)
	b.run("ask to revoke", chromedp.Click(chromedp.CSS(revoke)), chromedp.WaitVisible(chromedp.CSS(`form[action$="/revoke"] button`)))
	b.shot("secret-revoke-confirm")
	b.run("confirm", chromedp.Click(chromedp.CSS(`form[action$="/revoke"] button`)), chromedp.WaitVisible(chromedp.CSS("p.notice")))
	states = get(b, "read the states", readStates)
	if strings.Join(states, "|") != "active|revoked" {
		t.Errorf("after revoking, secret states %q", states)
	}

	// Each change is in the audit log, with the key as actor.
	b.run("open the audit log", chromedp.Navigate(con+"/audit?tenant=Cust4711"), chromedp.WaitVisible(chromedp.CSS("table")))
	audit := b.text()
	for _, kind := range []tenancy.EventKind{tenancy.EventTenantCreated, tenancy.EventSecretCreated, tenancy.EventSecretRolled, tenancy.EventSecretRevoked} {
		if !regexp.MustCompile(regexp.QuoteMeta(string(kind)) + `\s.*` + regexp.QuoteMeta(actor)).MatchString(audit) {
			t.Errorf("the audit page lacks %s by %s:\n%s", kind, actor, audit)
		}
	}
	b.shot("audit")

	// A failed call appears on the health page: a SOAP call with a wrong secret.
	envelope := `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header>` +
		`<ConnectionConfigFields xmlns="` + soap.NS + `"><ConnectionConfigFieldsKeyValuePair><Key>SharedSecret</Key><Value>` + first + `x</Value></ConnectionConfigFieldsKeyValuePair></ConnectionConfigFields>` +
		`<ContextIdentifier xmlns="` + soap.NS + `">Cust4711</ContextIdentifier></s:Header>` +
		`<s:Body><FindProduct xmlns="` + soap.NS + `"><CurrencyCode>NOK</CurrencyCode><Userinput>nut</Userinput></FindProduct></s:Body></s:Envelope>`
	req, _ := http.NewRequest(http.MethodPost, d.Ready.SOAPURL, bytes.NewReader([]byte(envelope)))
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("SOAPAction", `"`+soap.ActionPrefix+`FindProduct"`)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("the wrong secret answered %d, want a fault", resp.StatusCode)
	}
	b.run("open the health page", chromedp.Navigate(con+"/health"), chromedp.WaitVisible(chromedp.CSS("table.health")))
	failedRow := get(b, "read the failed row", chromedp.Text(chromedp.CSS("tr.has-errors")))
	if !strings.Contains(failedRow, "soap") || !strings.Contains(failedRow, "FindProduct") || !strings.Contains(failedRow, "100.0 %") {
		t.Errorf("the health page's failed row: %q", failedRow)
	}
	refusals := get(b, "read the refusals", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("table.health")[1].querySelectorAll("tbody tr")).map(e => e.textContent.trim())`))
	if len(refusals) != 1 || strings.Contains(refusals[0], "No refusal") || !strings.Contains(refusals[0], "1") {
		t.Errorf("the health page's refusals: %q, want the wrong secret's", refusals)
	}
	b.shot("health")

	// The read-only connection test passes.
	b.run("open the tenant", chromedp.Navigate(con+"/tenants/Cust4711"), chromedp.WaitVisible(chromedp.ID("#check-readonly")))
	readOnly := get(b, "read-only is checked", chromedp.Evaluate[bool](`document.getElementById("check-readonly").checked`))
	if !readOnly {
		t.Fatal("the connection test is not read-only by default")
	}
	b.run("run the connection test", chromedp.Click(chromedp.CSS(`form[action$="/check"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".verdict")))
	if s := b.text(); !strings.Contains(s, "PASSED") || !strings.Contains(s, "read-only") {
		t.Errorf("the connection test did not pass read-only:\n%s", s)
	}
	b.shot("connection-test")

	// Sign out, and be refused.
	b.run("sign out", chromedp.Click(chromedp.CSS(".signout button")), chromedp.WaitVisible(chromedp.ID("#key")))
	if s := b.text(); !strings.Contains(s, "You are signed out") {
		t.Errorf("after sign-out: %s", s)
	}
	b.run("the tenants page again", chromedp.Navigate(con+"/tenants"), chromedp.WaitVisible(chromedp.ID("#key")))
	loc := get(b, "read the location", chromedp.Location())
	if !strings.HasSuffix(loc, "/console/signin?why=required") || !strings.Contains(b.text(), "Sign in to continue") {
		t.Errorf("signed out, /console/tenants led to %s", loc)
	}
	b.shot("signed-out")
}
