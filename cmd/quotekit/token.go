package main

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"
)

var tokenCommands = map[string]command{
	"list":   {"list a tenant's live access tokens, or one user's", leaf(tokenList)},
	"revoke": {"revoke a tenant's live access tokens, or one user's", leaf(tokenRevoke)},
}

// tokenJSON describes an access token in --json output. Tokens are stored hashed, so
// there is nothing to show of the token itself.
type tokenJSON struct {
	ID          int64     `json:"id"`
	Tenant      string    `json:"tenant"`
	Method      string    `json:"method"`
	AssociateID int32     `json:"associate_id,omitempty"`
	Email       string    `json:"email,omitempty"`
	ERPUser     string    `json:"erp_user,omitempty"`
	SecretID    int64     `json:"secret_id,omitempty"`
	Actor       string    `json:"actor,omitempty"`
	IssuedAt    time.Time `json:"issued_at"`
	ExpiresAt   time.Time `json:"expires_at"`
}

// associateFlag adds --associate-id and returns a check of its value.
func associateFlag(c *cli, help string) func() (int32, error) {
	v := c.fs.Int64("associate-id", 0, help)
	return func() (int32, error) {
		if *v < 0 || *v > math.MaxInt32 {
			return 0, usageError("%s: --associate-id must be between 1 and %d", c.path, math.MaxInt32)
		}
		return int32(*v), nil
	}
}

func tokenList(ctx context.Context, c *cli, args []string) error {
	c.define("token list", "<tenant-id> [--associate-id N] [flags]", `
Lists the tenant's live access tokens, newest first: those neither revoked, expired nor
invalidated by disabling the tenant. With --associate-id, only that SuperOffice user's.
Tokens are stored only as hashes and are never shown.`)
	associate := associateFlag(c, "only the tokens of the SuperOffice user with this associate `id`")
	c.storeFlags()
	c.jsonFlag()
	id, _, ok, err := c.parseTenant(args)
	if !ok {
		return err
	}
	aid, err := associate()
	if err != nil {
		return err
	}
	s, err := c.openStore(ctx, false)
	if err != nil {
		return err
	}
	defer s.Close()
	toks, err := s.ListTokens(ctx, id, c.now())
	if err != nil {
		return storeFailure(err, id)
	}
	out := []tokenJSON{}
	for _, k := range toks {
		if aid != 0 && k.User.AssociateID != aid {
			continue
		}
		out = append(out, tokenJSON{
			ID: k.ID, Tenant: k.TenantID, Method: string(k.Method), AssociateID: k.User.AssociateID,
			Email: k.User.Email, ERPUser: k.User.ERPUser, SecretID: k.SecretID, Actor: k.Actor,
			IssuedAt: k.IssuedAt.UTC(), ExpiresAt: k.ExpiresAt.UTC(),
		})
	}
	if c.json {
		return writeJSON(c.stdout, out)
	}
	if len(out) == 0 {
		c.info("%s has no live access tokens%s.", id, forUser(aid))
		return nil
	}
	tw := newTable(c.stdout)
	row(tw, "ID", "METHOD", "ASSOCIATE ID", "E-MAIL", "ERP USER", "SECRET", "ISSUED", "EXPIRES")
	for _, k := range out {
		secret := "-"
		if k.SecretID != 0 {
			secret = strconv.FormatInt(k.SecretID, 10)
		}
		row(tw, strconv.FormatInt(k.ID, 10), k.Method, associateText(k.AssociateID), k.Email, k.ERPUser,
			secret, when(k.IssuedAt), when(k.ExpiresAt))
	}
	return tw.Flush()
}

func forUser(aid int32) string {
	if aid == 0 {
		return ""
	}
	return fmt.Sprintf(" for associate %d", aid)
}

func tokenRevoke(ctx context.Context, c *cli, args []string) error {
	c.define("token revoke", "<tenant-id> [--associate-id N] [flags]", `
Revokes the tenant's live access tokens at once, or only one SuperOffice user's with
--associate-id. Secrets stay valid: callers holding one authenticate again. To stop a
tenant altogether use 'quotekit tenant disable'; to stop a secret, 'quotekit secret
revoke'.`)
	associate := associateFlag(c, "only the tokens of the SuperOffice user with this associate `id`")
	c.storeFlags()
	c.actorFlag()
	c.jsonFlag()
	id, _, ok, err := c.parseTenant(args)
	if !ok {
		return err
	}
	aid, err := associate()
	if err != nil {
		return err
	}
	s, err := c.openStore(ctx, false)
	if err != nil {
		return err
	}
	defer s.Close()
	reason := "all"
	if aid != 0 {
		reason = fmt.Sprintf("associate:%d", aid)
	}
	n, err := c.service(s, nil).RevokeTokens(ctx, id, aid, reason, c.actor)
	if err != nil {
		return storeFailure(err, id)
	}
	if c.json {
		return writeJSON(c.stdout, map[string]any{"tenant": id, "associate_id": aid, "revoked": n})
	}
	fmt.Fprintf(c.stdout, "%d\n", n)
	c.info("Revoked %d access token(s) of %s%s.", n, id, forUser(aid))
	return nil
}
