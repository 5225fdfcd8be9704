// Package app wires a connector, the SQLite store, authentication and the HTTP server
// into a runnable program: configuration from flags and QUOTEKIT_* variables, TLS
// (certificate files, ACME or a development certificate), timeouts, the request log,
// metrics, and graceful shutdown. cmd/quotekit and the samples' main call it; it is the
// one place where the concrete parts are chosen.
package app

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/quotekit/quotekit/server"
	"github.com/quotekit/quotekit/server/storage"
)

// Config is the effective configuration of a server.
type Config struct {
	Addr           string        // listen address
	AdminAddr      string        // listen address of the admin API; "" serves none
	MetricsAddr    string        // listen address of Prometheus /metrics; "" serves none
	DB             string        // SQLite database file, or a postgres:// URL
	TLSCert        string        // certificate file (PEM)
	TLSKey         string        // its private key (PEM)
	ACMEHost       string        // public host name for an ACME (Let's Encrypt) certificate
	ACMECache      string        // where ACME certificates are kept
	Dev            bool          // development: a generated certificate, a master key created if missing
	PlainHTTP      bool          // plain HTTP, allowed only on a loopback address
	MasterKeyFile  string        // master key file for the encrypted secret copies
	PartnerKey     string        // the app's RSA private key (PEM) that signs application tokens
	SuperOffice    []string      // trusted SuperOffice environments (sod, qaonline, online)
	LocalKeys      []string      // env=public-key.pem pairs trusted without fetching (tests, development)
	TrustedProxies []string      // addresses/CIDRs whose X-Forwarded-For is believed
	CallTimeout    time.Duration // deadline of one connector call
	TokenTTL       time.Duration // access token lifetime
	BodyLimit      int64         // largest request body in bytes
	SOAPPath       string        // path of the SOAP endpoint; "" serves none
	LogLevel       string        // debug, info, warn, error
}

// Dir is where the other state files (master key, ACME cache) live by default: the
// directory of the SQLite database, or ./var with PostgreSQL.
func (c Config) Dir() string {
	if storage.IsURL(c.DB) {
		return "var"
	}
	return filepath.Dir(c.DB)
}

// ParseConfig reads flags from args with QUOTEKIT_* variables (from getenv) as their
// defaults. Errors are usage errors: flag.ErrHelp when help was asked for. extra may add
// a program's own flags to the same flag set.
func ParseConfig(name string, args []string, getenv func(string) string, output io.Writer, extra ...func(*flag.FlagSet)) (Config, error) {
	env := func(key, def string) string {
		if v := getenv("QUOTEKIT_" + key); v != "" {
			return v
		}
		return def
	}
	var c Config
	var superOffice, localKeys, proxies string
	var envErrs []error
	envDuration := func(key string, def time.Duration) time.Duration {
		v := getenv("QUOTEKIT_" + key)
		if v == "" {
			return def
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			envErrs = append(envErrs, fmt.Errorf("QUOTEKIT_%s: %q is not a duration", key, v))
		}
		return d
	}
	envInt := func(key string, def int64) int64 {
		v := getenv("QUOTEKIT_" + key)
		if v == "" {
			return def
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			envErrs = append(envErrs, fmt.Errorf("QUOTEKIT_%s: %q is not a number", key, v))
		}
		return n
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(output)
	fs.StringVar(&c.Addr, "addr", env("ADDR", ""), "listen address (default :8443, or 127.0.0.1:8080 with --http) [QUOTEKIT_ADDR]")
	fs.StringVar(&c.AdminAddr, "admin-addr", env("ADMIN_ADDR", ""), "listen address of the admin API (/admin/v1, admin API keys); empty: no admin API [QUOTEKIT_ADMIN_ADDR]")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", env("METRICS_ADDR", ""), "listen address of Prometheus /metrics, for the operators' network only (it counts refusals by reason); empty: no metrics [QUOTEKIT_METRICS_ADDR]")
	fs.StringVar(&c.DB, "db", env("DB", filepath.Join("var", "quotekit.db")), "the store: a SQLite database file, or a postgres:// URL for PostgreSQL [QUOTEKIT_DB]")
	fs.StringVar(&c.TLSCert, "tls-cert", env("TLS_CERT", ""), "TLS certificate file, PEM [QUOTEKIT_TLS_CERT]")
	fs.StringVar(&c.TLSKey, "tls-key", env("TLS_KEY", ""), "TLS private key file, PEM [QUOTEKIT_TLS_KEY]")
	fs.StringVar(&c.ACMEHost, "acme-host", env("ACME_HOST", ""), "public host name to get an ACME certificate for [QUOTEKIT_ACME_HOST]")
	fs.StringVar(&c.ACMECache, "acme-cache", env("ACME_CACHE", ""), "directory for ACME certificates (default: acme/ beside the database) [QUOTEKIT_ACME_CACHE]")
	fs.BoolVar(&c.Dev, "dev", env("DEV", "") == "true", "development mode: a generated self-signed certificate, a master key created if missing [QUOTEKIT_DEV=true]")
	fs.BoolVar(&c.PlainHTTP, "http", env("HTTP", "") == "true", "serve plain HTTP; only on a loopback address [QUOTEKIT_HTTP=true]")
	fs.StringVar(&c.MasterKeyFile, "master-key-file", env("MASTER_KEY_FILE", ""), "master key file (default: master.key beside the database; QUOTEKIT_MASTER_KEY takes precedence) [QUOTEKIT_MASTER_KEY_FILE]")
	fs.StringVar(&c.PartnerKey, "partner-key", env("PARTNER_KEY", ""), "RSA private key (PEM) of the SuperOffice app, signs application tokens [QUOTEKIT_PARTNER_KEY]")
	fs.StringVar(&superOffice, "superoffice", env("SUPEROFFICE", "sod,qaonline,online"), "trusted SuperOffice environments whose JWKS is fetched; empty for none; none by default with --dev [QUOTEKIT_SUPEROFFICE]")
	fs.StringVar(&localKeys, "superoffice-key", env("SUPEROFFICE_KEYS", ""), "env=public-key.pem pairs, comma-separated, trusted without fetching (development) [QUOTEKIT_SUPEROFFICE_KEYS]")
	fs.StringVar(&proxies, "trusted-proxies", env("TRUSTED_PROXIES", ""), "addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed [QUOTEKIT_TRUSTED_PROXIES]")
	fs.DurationVar(&c.CallTimeout, "call-timeout", envDuration("CALL_TIMEOUT", 20*time.Second), "deadline of one connector call [QUOTEKIT_CALL_TIMEOUT]")
	fs.DurationVar(&c.TokenTTL, "token-ttl", envDuration("TOKEN_TTL", time.Hour), "access token lifetime [QUOTEKIT_TOKEN_TTL]")
	fs.Int64Var(&c.BodyLimit, "body-limit", envInt("BODY_LIMIT", server.DefaultBodyLimit), "largest request body in bytes, REST and SOAP [QUOTEKIT_BODY_LIMIT]")
	fs.StringVar(&c.SOAPPath, "soap-path", env("SOAP_PATH", server.DefaultSOAPPath), "path of the SOAP endpoint (IOnlineQuoteConnector) on the same listener; \"off\" serves none [QUOTEKIT_SOAP_PATH]")
	fs.StringVar(&c.LogLevel, "log-level", env("LOG_LEVEL", "info"), "debug, info, warn or error [QUOTEKIT_LOG_LEVEL]")
	for _, add := range extra {
		add(fs)
	}
	if err := errors.Join(envErrs...); err != nil {
		return Config{}, err
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	c.SuperOffice, c.LocalKeys, c.TrustedProxies = list(superOffice), list(localKeys), list(proxies)
	if c.Dev && getenv("QUOTEKIT_SUPEROFFICE") == "" && !isSet(fs, "superoffice") {
		c.SuperOffice = nil // development reaches out to nobody unless asked to
	}
	if c.Addr == "" {
		c.Addr = ":8443"
		if c.PlainHTTP {
			c.Addr = "127.0.0.1:8080"
		}
	}
	if c.MasterKeyFile == "" {
		c.MasterKeyFile = filepath.Join(c.Dir(), "master.key")
	}
	if c.ACMECache == "" {
		c.ACMECache = filepath.Join(c.Dir(), "acme")
	}
	if c.SOAPPath == "off" {
		c.SOAPPath = ""
	}
	return c, c.validate()
}

func (c Config) validate() error {
	modes := 0
	for _, on := range []bool{c.TLSCert != "" || c.TLSKey != "", c.ACMEHost != "", c.PlainHTTP} {
		if on {
			modes++
		}
	}
	switch {
	case modes > 1:
		return errors.New("choose one of --tls-cert/--tls-key, --acme-host and --http")
	case modes == 0 && !c.Dev:
		return errors.New("no TLS configured: give --tls-cert and --tls-key, or --acme-host, or --dev (a self-signed certificate), or --http on a loopback address")
	case (c.TLSCert == "") != (c.TLSKey == ""):
		return errors.New("--tls-cert and --tls-key go together")
	case c.SOAPPath != "" && !strings.HasPrefix(c.SOAPPath, "/"):
		return fmt.Errorf("--soap-path %q must start with /", c.SOAPPath)
	case c.PlainHTTP && !loopback(c.Addr):
		return fmt.Errorf("plain HTTP is served only on a loopback address, not %q: NetServer requires HTTPS", c.Addr)
	case c.PlainHTTP && c.AdminAddr != "" && !loopback(c.AdminAddr):
		return fmt.Errorf("plain HTTP is served only on a loopback address, not %q", c.AdminAddr)
	case c.PlainHTTP && c.MetricsAddr != "" && !loopback(c.MetricsAddr):
		return fmt.Errorf("plain HTTP is served only on a loopback address, not %q", c.MetricsAddr)
	case c.CallTimeout <= 0 || c.TokenTTL < time.Minute || c.BodyLimit < 1024:
		return errors.New("--call-timeout must be positive, --token-ttl at least 1m, --body-limit at least 1024")
	}
	for _, pair := range c.LocalKeys {
		if name, path, ok := strings.Cut(pair, "="); !ok || name == "" || path == "" {
			return fmt.Errorf("--superoffice-key wants env=path.pem, got %q", pair)
		}
	}
	return nil
}

// isSet reports whether the flag was given on the command line.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// loopback reports whether addr listens only on a loopback address.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Print writes the effective configuration, one setting a line, with nothing secret in it
// (the master key and the partner key appear as file names only).
func (c Config) Print(w io.Writer) {
	tlsMode := "certificate files"
	switch {
	case c.PlainHTTP:
		tlsMode = "none (plain HTTP on loopback)"
	case c.ACMEHost != "":
		tlsMode = "ACME for " + c.ACMEHost
	case c.TLSCert == "" && c.Dev:
		tlsMode = "generated self-signed certificate (development)"
	}
	fmt.Fprintf(w, "quotekit configuration:\n")
	for _, kv := range [][2]string{
		{"addr", c.Addr}, {"admin addr", orNone(c.AdminAddr)}, {"metrics addr", orNone(c.MetricsAddr)}, {"tls", tlsMode}, {"db", storage.Redact(c.DB)}, {"master key", c.MasterKeyFile},
		{"partner key", orNone(c.PartnerKey)}, {"superoffice environments", orNone(strings.Join(c.SuperOffice, ","))},
		{"local superoffice keys", orNone(strings.Join(c.LocalKeys, ","))}, {"trusted proxies", orNone(strings.Join(c.TrustedProxies, ","))},
		{"call timeout", c.CallTimeout.String()}, {"token ttl", c.TokenTTL.String()},
		{"body limit", strconv.FormatInt(c.BodyLimit, 10)}, {"soap path", orNone(c.SOAPPath)}, {"dev", strconv.FormatBool(c.Dev)},
	} {
		fmt.Fprintf(w, "  %-24s %s\n", kv[0], kv[1])
	}
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func list(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
