// Command baseline is the yardstick of the load benchmark (scripts/bench-load.sh): a bare
// echo/v4 server that does the JSON work quotekit must do with the same bytes, and
// nothing else, so that quotekit's throughput can be stated as a fraction of it on the
// same machine, in the same run.
//
//	POST /json/{op}   decodes the request body (when the operation has one) into the
//	                  operation's generated request type with encoding/json, as quotekit
//	                  did before it had a faster decoder, and answers the document
//	                  {op}.json of -replies, held as the generated response type and
//	                  encoded anew for every request.
//	POST /any/{op}    the same, the body decoded generically into an any (maps, slices,
//	                  strings, float64s): what a server that does not know the carriers
//	                  would do.
//	POST /rs256/{op}  the same, after verifying the Bearer RS256 JWT of the request
//	                  with crypto/rsa against -key and decoding its claims: what
//	                  accepting a signed token costs without any library around it.
//
// The reply documents are captured from quotekit by the load script, so both servers
// encode the same answers. Nothing is stored, logged or checked beyond that; it is not a
// model of a correct server, only of the irreducible work.
package main

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/quotekit/quotekit/openapi/model"
	"github.com/quotekit/quotekit/server/app"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "baseline:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	flags := flag.NewFlagSet("baseline", flag.ContinueOnError)
	addr := flags.String("addr", "127.0.0.1:8180", "listen address (loopback)")
	replies := flags.String("replies", "", "directory of reply documents, NAME.json each")
	keyPath := flags.String("key", "", "PEM file whose RSA public key verifies /rs256 tokens")
	if err := flags.Parse(args); err != nil {
		return err
	}
	docs, err := loadReplies(*replies)
	if err != nil {
		return err
	}
	var pub *rsa.PublicKey
	if *keyPath != "" {
		if pub, err = app.ReadRSAPublicKey(*keyPath); err != nil {
			return err
		}
	}

	e := newServer(docs, pub)

	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("%s is not a loopback address", *addr)
	}
	ln, err := new(net.ListenConfig).Listen(ctx, "tcp", *addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "baseline listening on http://%s\n", ln.Addr())
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 2 * time.Minute}
	return srv.Serve(ln)
}

// newServer is the baseline's echo server answering docs, verifying /rs256 tokens with
// pub (nil: /rs256 answers 404).
func newServer(docs map[string]any, pub *rsa.PublicKey) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.POST("/json/:op", func(c echo.Context) error { return answer(c, docs, nil, false) })
	e.POST("/any/:op", func(c echo.Context) error { return answer(c, docs, nil, true) })
	e.POST("/rs256/:op", func(c echo.Context) error {
		if pub == nil {
			return echo.NewHTTPError(http.StatusNotFound, "no -key")
		}
		return answer(c, docs, pub, false)
	})
	e.GET("/readyz", func(c echo.Context) error { return c.String(http.StatusOK, "ready\n") })
	return e
}

// carriers are the generated types of the operations the load benchmark calls: the
// request body (nil when there is none) and the answer.
var carriers = map[string]struct{ req, res func() any }{
	"GetProduct":   {func() any { return new(model.GetProductJSONRequestBody) }, func() any { return new(model.ProductInfo) }},
	"Authenticate": {nil, func() any { return new(model.AccessTokenResponse) }},
}

// answer decodes the request body (into the operation's request type, or into an any
// when generic is set), verifies the bearer JWT when pub is set, and encodes the reply of
// the operation named by the path.
func answer(c echo.Context, docs map[string]any, pub *rsa.PublicKey, generic bool) error {
	op := c.Param("op")
	doc, ok := docs[op]
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound, "no such operation")
	}
	if pub != nil {
		raw, _ := strings.CutPrefix(c.Request().Header.Get("Authorization"), "Bearer ")
		if _, err := verifyRS256(pub, raw); err != nil {
			return echo.NewHTTPError(http.StatusUnauthorized, err.Error())
		}
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return err
	}
	if newReq := carriers[op].req; newReq != nil {
		target := newReq()
		if generic {
			target = new(any)
		}
		if err := json.Unmarshal(body, target); err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "not JSON")
		}
	}
	return c.JSON(http.StatusOK, doc)
}

// claims are the registered claims the baseline reads from a JWT.
type claims struct {
	Issuer    string `json:"iss"`
	Audience  any    `json:"aud"`
	ExpiresAt int64  `json:"exp"`
	NotBefore int64  `json:"nbf"`
	Tenant    string `json:"http://schemes.superoffice.net/identity/ctx"`
}

// verifyRS256 checks the compact JWS raw: header alg RS256, a PKCS #1 v1.5 SHA-256
// signature by pub over header.payload, and an unexpired exp.
func verifyRS256(pub *rsa.PublicKey, raw string) (claims, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return claims{}, errors.New("not a compact JWS")
	}
	var hdr struct {
		Alg string `json:"alg"`
	}
	if err := decodeSegment(parts[0], &hdr); err != nil || hdr.Alg != "RS256" {
		return claims{}, errors.New("bad header")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return claims{}, errors.New("bad signature encoding")
	}
	digest := sha256.Sum256([]byte(raw[:len(parts[0])+1+len(parts[1])]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
		return claims{}, errors.New("bad signature")
	}
	var cl claims
	if err := decodeSegment(parts[1], &cl); err != nil {
		return claims{}, errors.New("bad claims")
	}
	if time.Now().Unix() >= cl.ExpiresAt {
		return claims{}, errors.New("expired")
	}
	return cl, nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// loadReplies reads OP.json of dir for every operation of carriers, decoded into the
// operation's response type.
func loadReplies(dir string) (map[string]any, error) {
	docs := map[string]any{}
	if dir == "" {
		return docs, nil
	}
	for op, types := range carriers {
		b, err := os.ReadFile(filepath.Join(dir, op+".json"))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		v := types.res()
		if err := json.Unmarshal(b, v); err != nil {
			return nil, fmt.Errorf("%s.json: %w", op, err)
		}
		docs[op] = v
	}
	return docs, nil
}
