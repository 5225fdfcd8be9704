package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/quotekit/quotekit/server/storage"
	"github.com/quotekit/quotekit/tenancy"
)

var secretCommands = map[string]command{
	"create": {"make a new shared secret for a tenant and print it once", leaf(secretCreate)},
	"roll":   {"replace a secret, keeping the old one alive for an overlap", leaf(secretRoll)},
	"revoke": {"revoke a secret and every token minted from it, at once", leaf(secretRevoke)},
	"list":   {"list a tenant's secrets (never the secrets themselves)", leaf(secretList)},
}

// secretJSON describes a secret in --json output; it never holds the secret.
type secretJSON struct {
	ID         int64      `json:"id"`
	Tenant     string     `json:"tenant"`
	Display    string     `json:"display"`
	Last4      string     `json:"last4"`
	Mode       string     `json:"mode"`
	State      string     `json:"state"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RolledFrom int64      `json:"rolled_from,omitempty"`
}

// issuedSecretJSON is the output of create and roll: the only place a secret appears.
type issuedSecretJSON struct {
	secretJSON
	Secret   string      `json:"secret"`
	Replaced *secretJSON `json:"replaced,omitempty"` // roll: the old secret after the roll
}

func secretOut(s tenancy.Secret, now time.Time) secretJSON {
	return secretJSON{
		ID: s.ID, Tenant: s.TenantID, Display: s.Display, Last4: s.Last4, Mode: string(s.Mode),
		State: secretState(s, now), CreatedAt: s.CreatedAt.UTC(), ExpiresAt: timePtr(s.ExpiresAt),
		RevokedAt: timePtr(s.RevokedAt), LastUsedAt: timePtr(s.LastUsedAt), RolledFrom: s.RolledFrom,
	}
}

// secretState is revoked, expired, expiring (it stops working at ExpiresAt, after a
// roll) or active.
func secretState(s tenancy.Secret, now time.Time) string {
	switch {
	case !s.RevokedAt.IsZero():
		return "revoked"
	case !s.ExpiresAt.IsZero() && !s.ExpiresAt.After(now):
		return "expired"
	case !s.ExpiresAt.IsZero():
		return "expiring"
	default:
		return "active"
	}
}

// displayLen is the length of a secret's display form, qk_sk_<mode>_ and four characters.
const displayLen = len("qk_sk_test_") + 4

// secretRef is how a secret is named on the command line: its id, or its display form.
type secretRef struct {
	id      int64
	display string
}

func parseSecretRef(path, arg string) (secretRef, error) {
	if strings.HasPrefix(arg, "qk_") {
		if len(arg) > displayLen {
			// A whole secret on a command line ends up in shell history and process
			// lists; it is refused, and not repeated in the message either.
			return secretRef{}, usageError("%s: that is longer than a display form and may be a whole secret: name the secret by its id or its display form (qk_sk_ and %d more characters) as 'quotekit secret list' shows", path, displayLen-len("qk_sk_"))
		}
		return secretRef{display: arg}, nil
	}
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || id <= 0 {
		return secretRef{}, usageError("%s: %s is not a secret id: give the number or the display form that 'quotekit secret list' shows", path, quoteArg(arg))
	}
	return secretRef{id: id}, nil
}

func (r secretRef) String() string {
	if r.display != "" {
		return r.display
	}
	return strconv.FormatInt(r.id, 10)
}

// find returns the secret ref names among the tenant's secrets.
func (r secretRef) find(tenantID string, secrets []tenancy.Secret) (tenancy.Secret, error) {
	var found []tenancy.Secret
	for _, s := range secrets {
		if (r.id != 0 && s.ID == r.id) || (r.display != "" && s.Display == r.display) {
			found = append(found, s)
		}
	}
	switch len(found) {
	case 0:
		return tenancy.Secret{}, fail(tenancy.ErrNotFound, "%s has no secret %s (see 'quotekit secret list %s')", tenantID, r, tenantID)
	case 1:
		return found[0], nil
	}
	return tenancy.Secret{}, usageError("several secrets of %s show as %s: name the one you mean by its id", tenantID, r)
}

// secretsOf loads the tenant's secrets; an unknown tenant is exit status 3.
func secretsOf(ctx context.Context, s storage.Store, tenantID string) ([]tenancy.Secret, error) {
	secrets, err := s.SecretsOf(ctx, tenantID)
	if err != nil {
		return nil, storeFailure(err, tenantID)
	}
	return secrets, nil
}

// adminFailure turns an error of the tenancy service into a message for people.
func adminFailure(err error, tenantID string, old tenancy.Secret) error {
	switch {
	case errors.Is(err, tenancy.ErrBadOverlap):
		return usageError("%v", err)
	case errors.Is(err, tenancy.ErrLimit):
		return fail(tenancy.ErrLimit, "%s already has %d active secrets, the most allowed: revoke one ('quotekit secret revoke') or wait for a roll's overlap to end", tenantID, tenancy.DefaultMaxActiveSecrets)
	case errors.Is(err, tenancy.ErrConflict):
		return fail(tenancy.ErrConflict, "secret %d (%s) of %s is revoked or expired and cannot be rolled; make a new one with 'quotekit secret create %s'", old.ID, old.Display, tenantID, tenantID)
	}
	return storeFailure(err, tenantID)
}

func secretCreate(ctx context.Context, c *cli, args []string) error {
	c.define("secret create", "<tenant-id> [flags]", `
Makes a new shared secret for the tenant and prints it, with --json in the "secret"
field. This is the only time it is shown: quotekit keeps its hash and, encrypted under
the master key, the copy HS256 verification needs. Give it to the customer's SuperOffice
administrator for the ERP connection. A tenant may have at most 3 active secrets.

The master key comes from QUOTEKIT_MASTER_KEY, else from the master key file (default:
master.key beside the database); --dev creates that file (mode 0600) when missing.`)
	c.storeFlags()
	c.keyFlags()
	c.actorFlag()
	c.jsonFlag()
	id, _, ok, err := c.parseTenant(args)
	if !ok {
		return err
	}
	s, err := c.openStore(ctx, false)
	if err != nil {
		return err
	}
	defer s.Close()
	t, err := s.Tenant(ctx, id)
	if err != nil {
		return storeFailure(err, id)
	}
	keys, err := c.keyring()
	if err != nil {
		return err
	}
	plain, sec, err := c.service(s, keys).CreateSecret(ctx, id, c.actor)
	if err != nil {
		return adminFailure(err, id, tenancy.Secret{})
	}
	out := issuedSecretJSON{secretJSON: secretOut(sec, c.now()), Secret: plain}
	if err := printIssued(c, out); err != nil {
		return err
	}
	if !t.Enabled {
		c.info("Note: %s is disabled; the secret works once it is enabled.", id)
	}
	return nil
}

// printIssued prints a new secret, and the one-time warning to stderr.
func printIssued(c *cli, out issuedSecretJSON) error {
	return printOnce(c, out, [][2]string{
		{"ID", strconv.FormatInt(out.ID, 10)}, {"Tenant", out.Tenant}, {"Display", out.Display},
		{"Created", when(out.CreatedAt)}, {"Secret", out.Secret},
	}, "This is the only time the secret is shown: copy it now into the ERP connection in SuperOffice.")
}

func secretRoll(ctx context.Context, c *cli, args []string) error {
	c.define("secret roll", "<tenant-id> <secret> --expire-old-in DURATION [flags]", fmt.Sprintf(`
Replaces a secret (named by its id or display form) with a new one, printed once as by
'secret create'. --expire-old-in says how long the old secret keeps working, so the
customer can switch without downtime: 0 stops it now (a leaked secret), 24h or 7d gives
an overlap; at most %s. It is required, so the choice is always made on purpose.
A revoked or expired secret cannot be rolled (exit status 4): create a new one.`, maxOverlapText))
	var overlap durationValue
	c.fs.Var(&overlap, "expire-old-in", "how long the old secret keeps working: a `duration` such as 0 (now), 90m, 24h, 7d (required)")
	c.storeFlags()
	c.keyFlags()
	c.actorFlag()
	c.jsonFlag()
	id, pos, ok, err := c.parseTenant(args, "secret")
	if !ok {
		return err
	}
	ref, err := parseSecretRef(c.path, pos[1])
	if err != nil {
		return err
	}
	if !overlap.set {
		return usageError("%s: --expire-old-in is required: 0 stops the old secret now, e.g. 24h keeps it working for a day", c.path)
	}
	if overlap.d < 0 || overlap.d > tenancy.MaxRollOverlap {
		return usageError("%s: --expire-old-in must be between 0 and %s", c.path, maxOverlapText)
	}

	s, err := c.openStore(ctx, false)
	if err != nil {
		return err
	}
	defer s.Close()
	secrets, err := secretsOf(ctx, s, id)
	if err != nil {
		return err
	}
	old, err := ref.find(id, secrets)
	if err != nil {
		return err
	}
	if state := secretState(old, c.now()); state == "revoked" || state == "expired" {
		return fail(tenancy.ErrConflict, "secret %d (%s) of %s is %s and cannot be rolled; make a new one with 'quotekit secret create %s'", old.ID, old.Display, id, state, id)
	}
	keys, err := c.keyring()
	if err != nil {
		return err
	}
	plain, sec, err := c.service(s, keys).RollSecret(ctx, id, old.ID, overlap.d, c.actor)
	if err != nil {
		return adminFailure(err, id, old)
	}
	now := c.now()
	out := issuedSecretJSON{secretJSON: secretOut(sec, now), Secret: plain}
	if after, err := s.SecretsOf(ctx, id); err == nil {
		if o, err := (secretRef{id: old.ID}).find(id, after); err == nil {
			replaced := secretOut(o, now)
			out.Replaced, old = &replaced, o
		}
	}
	if err := printIssued(c, out); err != nil {
		return err
	}
	if old.ExpiresAt.After(now) {
		c.info("The old secret %d (%s) keeps working until %s.", old.ID, old.Display, when(old.ExpiresAt))
	} else {
		c.info("The old secret %d (%s) stopped working now.", old.ID, old.Display)
	}
	return nil
}

var maxOverlapText = fmt.Sprintf("%dd", tenancy.MaxRollOverlap/(24*time.Hour))

func secretRevoke(ctx context.Context, c *cli, args []string) error {
	c.define("secret revoke", "<tenant-id> <secret> [flags]", `
Revokes a secret (named by its id or display form) at once, and every access token that
was minted from it. Revoking a revoked secret changes nothing.`)
	c.storeFlags()
	c.actorFlag()
	c.jsonFlag()
	id, pos, ok, err := c.parseTenant(args, "secret")
	if !ok {
		return err
	}
	ref, err := parseSecretRef(c.path, pos[1])
	if err != nil {
		return err
	}
	s, err := c.openStore(ctx, false)
	if err != nil {
		return err
	}
	defer s.Close()
	secrets, err := secretsOf(ctx, s, id)
	if err != nil {
		return err
	}
	sec, err := ref.find(id, secrets)
	if err != nil {
		return err
	}
	already := !sec.RevokedAt.IsZero()
	if !already {
		if err := c.service(s, nil).RevokeSecret(ctx, id, sec.ID, c.actor); err != nil {
			return adminFailure(err, id, sec)
		}
		if after, err := secretsOf(ctx, s, id); err == nil {
			if found, err := (secretRef{id: sec.ID}).find(id, after); err == nil {
				sec = found
			}
		}
	}
	if c.json {
		if err := writeJSON(c.stdout, secretOut(sec, c.now())); err != nil {
			return err
		}
	} else if err := printSecrets(c.stdout, []tenancy.Secret{sec}, c.now()); err != nil {
		return err
	}
	if already {
		c.info("Secret %d (%s) was already revoked at %s; nothing changed.", sec.ID, sec.Display, when(sec.RevokedAt))
	} else {
		c.info("Secret %d (%s) revoked, with every access token minted from it.", sec.ID, sec.Display)
	}
	return nil
}

func secretList(ctx context.Context, c *cli, args []string) error {
	c.define("secret list", "<tenant-id> [flags]", `
Lists the tenant's secrets, newest first, revoked and expired ones included: id, display
form, last four characters, state (active, expiring after a roll, expired, revoked),
and when each was created, expires and was last used. Secrets are never shown.`)
	c.storeFlags()
	c.jsonFlag()
	id, _, ok, err := c.parseTenant(args)
	if !ok {
		return err
	}
	s, err := c.openStore(ctx, false)
	if err != nil {
		return err
	}
	defer s.Close()
	secrets, err := secretsOf(ctx, s, id)
	if err != nil {
		return err
	}
	now := c.now()
	if c.json {
		out := make([]secretJSON, 0, len(secrets))
		for _, sec := range secrets {
			out = append(out, secretOut(sec, now))
		}
		return writeJSON(c.stdout, out)
	}
	if len(secrets) == 0 {
		c.info("%s has no secrets. Make one with 'quotekit secret create %s'.", id, id)
		return nil
	}
	return printSecrets(c.stdout, secrets, now)
}

func printSecrets(w io.Writer, secrets []tenancy.Secret, now time.Time) error {
	tw := newTable(w)
	row(tw, "ID", "DISPLAY", "LAST4", "STATE", "CREATED", "EXPIRES", "LAST USED", "ROLLED FROM")
	for _, s := range secrets {
		from := "-"
		if s.RolledFrom != 0 {
			from = strconv.FormatInt(s.RolledFrom, 10)
		}
		row(tw, strconv.FormatInt(s.ID, 10), s.Display, s.Last4, secretState(s, now),
			when(s.CreatedAt), when(s.ExpiresAt), when(s.LastUsedAt), from)
	}
	return tw.Flush()
}
