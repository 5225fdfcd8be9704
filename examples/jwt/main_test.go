package main

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/examples/internal/quotetest"
	"github.com/quotekit/quotekit/openapi/model"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

const keyFile = "../../testdata/keys/superoffice-test-sod.pem"

func signingKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	b, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		t.Fatal("no PEM block")
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(*rsa.PrivateKey)
}

// superOfficeJWT signs what SuperOffice sends for a CRM user of the demo tenant.
func superOfficeJWT(t *testing.T, key *rsa.PrivateKey, associateID int) string {
	t.Helper()
	now := time.Now()
	tok := jwt.New()
	for k, v := range map[string]any{
		jwt.IssuerKey: "SuperOffice AS", jwt.AudienceKey: "spn:" + demoAppID,
		jwt.IssuedAtKey: now, jwt.ExpirationKey: now.Add(5 * time.Minute), jwt.JwtIDKey: strconv.Itoa(associateID),
		"http://schemes.superoffice.net/identity/ctx":         demoTenantID,
		"http://schemes.superoffice.net/identity/associateid": strconv.Itoa(associateID),
	} {
		if err := tok.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.RS256, key))
	if err != nil {
		t.Fatal(err)
	}
	return string(signed)
}

var servingAt = regexp.MustCompile(`export QK_URL=(\S+)`)

// start runs the sample's real run(...) on 127.0.0.1:0 in dir, trusting the test key,
// and returns its base URL and a stop function.
func start(t *testing.T, dir string) (string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, logs := &syncBuffer{}, &syncBuffer{}
	errc := make(chan error, 1)
	args := []string{"--dev", "--http", "--addr", "127.0.0.1:0", "--superoffice", "",
		"--superoffice-key", "sod=" + keyFile, "--db", filepath.Join(dir, "quotekit.db")}
	go func() { errc <- run(ctx, args, func(string) string { return "" }, out, logs) }()
	stop := func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("run: %v", err)
		}
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := servingAt.FindStringSubmatch(out.String()); m != nil {
			return m[1], stop
		}
	}
	stop()
	t.Fatalf("the sample did not start:\n%s", logs)
	return "", nil
}

// clientAs authenticates at /Authenticate with a SuperOffice JWT for a CRM user and
// returns a client that calls the operations with the access token it got.
func clientAs(t *testing.T, base string, key *rsa.PrivateKey, associateID int) *quotetest.Client {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/Authenticate", nil)
	req.Header.Set("Authorization", "Bearer "+superOfficeJWT(t, key, associateID))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok model.AccessTokenResponse
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("Authenticate as %d: %d %v", associateID, resp.StatusCode, err)
	}
	c := &quotetest.Client{Base: base, Token: tok.AccessToken}
	return c
}

// TestWholeQuote drives a quote from search to order as CRM user 13: the order reserves
// the product, so its stock goes down by the quantity ordered. (The order's own records
// in the demo ERP are checked in examples/demoerp.)
func TestWholeQuote(t *testing.T) {
	base, stop := start(t, t.TempDir())
	defer stop()
	res := quotetest.Lifecycle(t, clientAs(t, base, signingKey(t), 13))
	if res.StockAfter != res.StockBefore-res.Quantity {
		t.Errorf("stock %v, want %v", res.StockAfter, res.StockBefore-res.Quantity)
	}
}

// TestDiscountLimitFollowsTheUser: the same 10 % discount needs approval when CRM user 12
// (salesperson ONY, 3 %) validates it, and not when user 13 (KDA, 30 %) does.
func TestDiscountLimitFollowsTheUser(t *testing.T) {
	base, stop := start(t, t.TempDir())
	defer stop()
	ctx := context.Background()
	key := signingKey(t)
	validate := func(associateID int) connector.QuoteVersionStateInfo {
		t.Helper()
		c := clientAs(t, base, key, associateID)
		found, err := quotetest.Call[[]connector.ProductInfo](ctx, c, "FindProduct", connector.FindProductRequest{CurrencyCode: "NOK", UserInput: "drill"})
		if err != nil || found.JSON200 == nil || len(*found.JSON200) == 0 {
			t.Fatalf("FindProduct: %v %s", err, found.Body)
		}
		p := (*found.JSON200)[0]
		line := connector.QuoteLineInfo{
			QuoteLineId: 1, ERPProductKey: p.ERPProductKey, Quantity: 1, UnitListPrice: p.UnitListPrice,
			UnitCost: p.UnitCost, UnitMinimumPrice: p.UnitMinimumPrice,
			UserValueOverride: connector.ValueOverrideInfoOverrideDiscountPercent, DiscountPercent: 10,
		}
		connector.CalculateLine(&line)
		v, err := quotetest.Call[connector.QuoteResponseInfo](ctx, c, "ValidateQuoteVersion", connector.ValidateQuoteVersionRequest{
			Action: connector.QuoteActionSendQuote,
			QuoteContext: &connector.QuoteVersionContextInfo{
				CRMQuote:        &connector.QuoteInfo{QuoteId: 9},
				CRMQuoteVersion: &connector.QuoteVersionInfo{QuoteVersionId: 10, QuoteId: 9, State: connector.QuoteVersionStateInfoDraftNotCalculated},
				CRMAlternativesWithLines: []connector.QuoteAlternativeWithLinesInfo{{
					CRMAlternative: &connector.QuoteAlternativeInfo{QuoteAlternativeId: 11, Name: "Products"},
					CRMQuoteLines:  []connector.QuoteLineInfo{line},
				}},
			},
		})
		if err != nil || v.JSON200 == nil || v.JSON200.CRMQuoteVersion == nil {
			t.Fatalf("ValidateQuoteVersion: %v %s", err, v.Body)
		}
		return v.JSON200.CRMQuoteVersion.State
	}
	if got := validate(12); got != connector.QuoteVersionStateInfoDraftNeedsApproval {
		t.Errorf("user 12 (3 %% limit): state %d, want DraftNeedsApproval", got)
	}
	if got := validate(13); got != connector.QuoteVersionStateInfoDraft {
		t.Errorf("user 13 (30 %% limit): state %d, want Draft", got)
	}
}
