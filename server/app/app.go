package app

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"golang.org/x/crypto/acme/autocert"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/server"
	"github.com/quotekit/quotekit/server/auth"
	"github.com/quotekit/quotekit/server/console"
	"github.com/quotekit/quotekit/server/storage"
	"github.com/quotekit/quotekit/soap"
	"github.com/quotekit/quotekit/tenancy"
)

// Server timeouts. The write timeout leaves the connector its whole call timeout.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 30 * time.Second
	idleTimeout       = 2 * time.Minute
	shutdownGrace     = 10 * time.Second
	purgeEvery        = 10 * time.Minute
	maxHeaderBytes    = 64 << 10
)

// Ready is what a program learns once the server listens.
type Ready struct {
	BaseURL  string // e.g. https://127.0.0.1:8443
	SOAPURL  string // the SOAP endpoint's URL, "" when it is not served
	AdminURL string // the admin API's, "" when it is not served
	// MetricsURL is the base URL of the metrics listener (GET /metrics), "" when it is
	// not served.
	MetricsURL string
	Store      storage.Store    // the store, for seeding
	DB         string           // the store's database as configured (Config.DB), a URL without its password
	Admin      *tenancy.Service // every change of tenants and credentials on that store
	Stdout     io.Writer
}

// Option changes how Serve runs.
type Option func(*options)

type options struct {
	onReady func(context.Context, Ready) error
}

// OnReady runs f once the server listens, before it serves its first request; an error
// stops the server. Samples use it to create a demo tenant.
func OnReady(f func(context.Context, Ready) error) Option {
	return func(o *options) { o.onReady = f }
}

// Serve runs conn behind authentication on the store of cfg until ctx is done, then
// shuts down gracefully. It prints the effective configuration to stderr and logs JSON
// lines there.
func Serve(ctx context.Context, conn connector.Connector, cfg Config, getenv func(string) string, stdout, stderr io.Writer, opts ...Option) error {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level(cfg.LogLevel)}))
	cfg.Print(stderr)

	// The data directory holds the SQLite file, and the master key file that --dev
	// creates; with PostgreSQL and a master key from the environment nothing is written.
	if !storage.IsURL(cfg.DB) || cfg.Dev && getenv(tenancy.MasterKeyEnv) == "" {
		if err := os.MkdirAll(cfg.Dir(), 0o700); err != nil {
			return fmt.Errorf("create data directory: %w", err)
		}
	}
	store, err := storage.Open(ctx, cfg.DB)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer store.Close()
	keys, err := tenancy.LoadMasterKey(getenv(tenancy.MasterKeyEnv), cfg.MasterKeyFile, cfg.Dev)
	if err != nil {
		return err
	}

	metrics := server.NewMetrics()
	health := server.NewHealth(nil)
	authOpts := []auth.Option{
		auth.WithKeyring(keys), auth.WithLogger(log), auth.WithTokenTTL(cfg.TokenTTL),
		auth.WithTrustedProxies(cfg.TrustedProxies), auth.WithMetrics(metrics.Registerer()),
		auth.WithRefusalHook(health.Refused),
	}
	srvOpts := []server.Option{
		server.WithLogger(log), server.WithMetrics(metrics), server.WithCallTimeout(cfg.CallTimeout), server.WithBodyLimit(cfg.BodyLimit),
		server.WithSOAPPath(cfg.SOAPPath), server.WithHealth(health),
		server.WithReadiness("store", store.Ping),
	}
	verifier, err := superOffice(ctx, cfg)
	if err != nil {
		return err
	}
	if verifier != nil {
		authOpts = append(authOpts, auth.WithSuperOffice(verifier))
		srvOpts = append(srvOpts, server.WithReadiness("superoffice keys", func(context.Context) error {
			if !verifier.Ready() {
				return errors.New("no SuperOffice keys loaded")
			}
			return nil
		}))
	}
	if cfg.PartnerKey != "" {
		key, err := readRSAKey(cfg.PartnerKey)
		if err != nil {
			return fmt.Errorf("partner key: %w", err)
		}
		authOpts = append(authOpts, auth.WithPartnerKey(key))
	}
	svc := auth.NewService(store, append(authOpts, auth.WithAdminKeys(store))...)
	admin := tenancy.NewService(store, tenancy.WithKeyring(keys))
	handler, err := server.New(conn, svc, srvOpts...)
	if err != nil {
		return err
	}

	var devCert *tls.Certificate
	if !cfg.PlainHTTP && cfg.TLSCert == "" && cfg.ACMEHost == "" {
		cert, err := selfSigned()
		if err != nil {
			return err
		}
		devCert = &cert
	}
	ln, scheme, err := listen(cfg, cfg.Addr, devCert)
	if err != nil {
		return err
	}
	baseURL := scheme + "://" + ln.Addr().String()
	servers := []*http.Server{newHTTPServer(handler, cfg, log)}
	listeners := []net.Listener{ln}
	var adminURL string
	if cfg.AdminAddr != "" {
		adminLn, adminScheme, err := listen(cfg, cfg.AdminAddr, devCert)
		if err != nil {
			ln.Close()
			return err
		}
		adminURL = adminScheme + "://" + adminLn.Addr().String()
		cons, err := console.New(console.Config{
			Auth: svc, Store: store, Admin: admin, Keyring: keys, Health: health,
			PublicURL: baseURL, SOAPURL: soapURL(baseURL, cfg.SOAPPath), CheckClient: checkClient(devCert),
			InsecureCookie: cfg.PlainHTTP && cfg.Dev, Logger: log,
		})
		if err != nil {
			ln.Close()
			adminLn.Close()
			return err
		}
		mux := http.NewServeMux()
		mux.Handle(console.Path, cons)
		mux.Handle("/", server.NewAdmin(svc, store, admin, server.WithLogger(log), server.WithMetrics(metrics)))
		servers = append(servers, newHTTPServer(mux, cfg, log))
		listeners = append(listeners, adminLn)
	}
	var metricsURL string
	if cfg.MetricsAddr != "" {
		metricsLn, metricsScheme, err := listen(cfg, cfg.MetricsAddr, devCert)
		if err != nil {
			for _, l := range listeners {
				l.Close()
			}
			return err
		}
		metricsURL = metricsScheme + "://" + metricsLn.Addr().String()
		servers = append(servers, newHTTPServer(metrics.Handler(), cfg, log))
		listeners = append(listeners, metricsLn)
		// Beside the configuration, so that a script starting the server on port 0
		// learns where to scrape whatever the log level.
		fmt.Fprintf(stderr, "quotekit: metrics at %s/metrics\n", metricsURL)
	}
	log.Info("listening", slog.String("url", baseURL), slog.String("admin_url", adminURL), slog.String("metrics_url", metricsURL))

	if o.onReady != nil {
		if err := o.onReady(ctx, Ready{BaseURL: baseURL, SOAPURL: soapURL(baseURL, cfg.SOAPPath), AdminURL: adminURL, MetricsURL: metricsURL, Store: store, DB: storage.Redact(cfg.DB), Admin: admin, Stdout: stdout}); err != nil {
			for _, l := range listeners {
				l.Close()
			}
			return err
		}
	}

	go purge(ctx, store, log)
	served := make(chan error, len(servers))
	for i, srv := range servers {
		go func() { served <- srv.Serve(listeners[i]) }()
	}
	select {
	case err := <-served:
		return errors.Join(err, shutdown(servers, log))
	case <-ctx.Done():
	}
	return shutdown(servers, log)
}

func newHTTPServer(h http.Handler, cfg Config, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      cfg.CallTimeout + 10*time.Second,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// shutdown stops the servers gracefully: no new connections, in-flight requests finish
// within the grace period.
func shutdown(servers []*http.Server, log *slog.Logger) error {
	log.Info("shutting down")
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	var errs []error
	for _, srv := range servers {
		if err := srv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("shutdown: %w", err))
		}
	}
	return errors.Join(errs...)
}

// checkClient returns the HTTP client of the console's connection test: one that also
// trusts the development certificate, when the server uses one.
func checkClient(devCert *tls.Certificate) *http.Client {
	if devCert == nil {
		return nil
	}
	roots, err := x509.SystemCertPool()
	if err != nil {
		roots = x509.NewCertPool()
	}
	leaf, err := x509.ParseCertificate(devCert.Certificate[0])
	if err != nil {
		return nil
	}
	roots.AddCert(leaf)
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: transport}
}

// listen opens the listener the configuration asks for, TLS 1.2 or newer unless plain
// HTTP on loopback was asked for; devCert is the development certificate, used when no
// certificate files and no ACME host are configured.
func listen(cfg Config, addr string, devCert *tls.Certificate) (net.Listener, string, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", addr)
	if err != nil {
		return nil, "", err
	}
	if cfg.PlainHTTP {
		return ln, "http", nil
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	switch {
	case cfg.TLSCert != "":
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			ln.Close()
			return nil, "", fmt.Errorf("load TLS certificate: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	case cfg.ACMEHost != "":
		// TLS-ALPN-01 on this listener; it must be reachable on port 443 of ACMEHost.
		m := &autocert.Manager{
			Prompt:     autocert.AcceptTOS,
			HostPolicy: autocert.HostWhitelist(cfg.ACMEHost),
			Cache:      autocert.DirCache(cfg.ACMECache),
		}
		tc = m.TLSConfig()
		tc.MinVersion = tls.VersionTLS12
	default: // --dev
		if devCert == nil {
			ln.Close()
			return nil, "", errors.New("no TLS certificate configured")
		}
		tc.Certificates = []tls.Certificate{*devCert}
	}
	return tls.NewListener(ln, tc), "https", nil
}

// selfSigned makes a development certificate for localhost, valid for 30 days.
func selfSigned() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return tls.Certificate{}, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "quotekit development", Organization: []string{"quotekit"}},
		NotBefore:    now.Add(-time.Minute), NotAfter: now.Add(30 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// superOffice builds the verifier for the configured environments and local keys, or
// nil when none is configured (then SuperOffice JWTs are refused).
func superOffice(ctx context.Context, cfg Config) (*auth.SuperOfficeVerifier, error) {
	var envs []auth.Env
	for _, name := range cfg.SuperOffice {
		envs = append(envs, auth.Env{Name: name})
	}
	for _, pair := range cfg.LocalKeys {
		name, path, _ := strings.Cut(pair, "=")
		pub, err := ReadRSAPublicKey(path)
		if err != nil {
			return nil, fmt.Errorf("SuperOffice key %s: %w", name, err)
		}
		mode := connector.EnvironmentTest
		if name == "online" {
			mode = connector.EnvironmentLive
		}
		envs = append(envs, auth.Env{Name: "local-" + name, Mode: mode, Keys: []crypto.PublicKey{pub}})
	}
	if len(envs) == 0 {
		return nil, nil
	}
	return auth.NewSuperOfficeVerifier(ctx, auth.SuperOfficeConfig{Envs: envs})
}

// purge deletes expired tokens and replay entries now and then, so the tables stay small.
func purge(ctx context.Context, store storage.Store, log *slog.Logger) {
	t := time.NewTicker(purgeEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if n, err := store.Purge(ctx, now); err != nil {
				log.Warn("purge failed", slog.String("error", err.Error()))
			} else if n > 0 {
				log.Info("purged expired rows", slog.Int("rows", n))
			}
		}
	}
}

func level(s string) slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return slog.LevelInfo
	}
	return l
}

// readRSAKey reads an RSA private key in PEM (PKCS#1 or PKCS#8).
func readRSAKey(path string) (*rsa.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, errors.New("no PEM block")
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, errors.New("not an RSA private key")
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("not an RSA private key")
	}
	return rk, nil
}

// ReadRSAPublicKey reads an RSA public key from a PEM file holding a public key, a
// certificate, or a private key (whose public half is used).
func ReadRSAPublicKey(path string) (*rsa.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, errors.New("no PEM block")
	}
	switch block.Type {
	case "CERTIFICATE":
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		if pub, ok := cert.PublicKey.(*rsa.PublicKey); ok {
			return pub, nil
		}
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, err
		}
		if pub, ok := k.(*rsa.PublicKey); ok {
			return pub, nil
		}
	case "RSA PUBLIC KEY":
		return x509.ParsePKCS1PublicKey(block.Bytes)
	default:
		if k, err := readRSAKey(path); err == nil {
			return &k.PublicKey, nil
		}
	}
	return nil, errors.New("not an RSA public key")
}

// soapURL is the SOAP endpoint's URL on base, or "" when path is (no endpoint).
func soapURL(base, path string) string {
	if path == "" {
		return ""
	}
	return base + path
}

// SOAPHint tells where SuperOffice Online's SOAP calls go and gives one SOAP call to
// try, a curl command with the tenant's secret (read from the shell variable secretVar)
// in the connection's configuration fields, as SuperOffice sends it. It is "" when the
// SOAP endpoint is off.
func (r Ready) SOAPHint(tenantID, secretVar string) string {
	if r.SOAPURL == "" {
		return ""
	}
	return fmt.Sprintf(`
SuperOffice Online calls SOAP today, at %[1]s
(WSDL: %[1]s?wsdl). Register that URL as the app's connector URL. Try it:

    curl -s "%[1]s" -H 'Content-Type: text/xml; charset=utf-8' -H 'SOAPAction: "%[2]sFindProduct"' --data-binary "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Header><ConnectionConfigFields xmlns=\"%[3]s\"><ConnectionConfigFieldsKeyValuePair><Key>SharedSecret</Key><Value>$%[5]s</Value></ConnectionConfigFieldsKeyValuePair></ConnectionConfigFields><ContextIdentifier xmlns=\"%[3]s\">%[4]s</ContextIdentifier></s:Header><s:Body><FindProduct xmlns=\"%[3]s\"><CurrencyCode>NOK</CurrencyCode><Userinput>drill</Userinput></FindProduct></s:Body></s:Envelope>"
`, r.SOAPURL, soap.ActionPrefix, soap.NS, tenantID, secretVar)
}
