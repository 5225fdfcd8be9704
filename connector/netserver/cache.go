package netserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/quotekit/quotekit/connector"
)

// cacheTTL is NetServer's lifetime for capabilities, quote lists and price lists.
const cacheTTL = 30 * time.Minute

// cacheKey names one cached result. user is the zero User for per-client entries.
type cacheKey struct {
	user User
	op   string
	arg  string
}

// cached is a raw result; a zero expires never expires.
type cached struct {
	raw     []byte
	expires time.Time
}

// cacheArgs are the request members the cache keys depend on. encoding/json matches
// them case-insensitively, so ERPProductKey and quoteListType fit too.
type cacheArgs struct {
	QuoteListType   string
	IsoCurrencyCode string
	ErpProductKey   string
	Rank            json.RawMessage
}

// cachePolicy tells whether op's result may be cached for u and body, under which key
// and for how long (0: for the client's lifetime). It may fetch u's capabilities.
func (c *Client) cachePolicy(ctx context.Context, u User, op string, body []byte) (cacheKey, time.Duration, bool, error) {
	var args cacheArgs
	if len(body) > 0 && json.Unmarshal(body, &args) != nil {
		return cacheKey{}, 0, false, nil // not an object we can key: send it as it is
	}
	switch op {
	case "GetCapabilities":
		return cacheKey{user: u, op: op}, cacheTTL, true, nil
	case "GetQuoteList":
		caps, err := c.policyCapabilities(ctx, u, op)
		if err != nil || caps[connector.CapNoCacheQuoteLists] {
			return cacheKey{}, 0, false, err
		}
		return cacheKey{user: u, op: op, arg: strings.ToLower(args.QuoteListType)}, cacheTTL, true, nil
	case "GetActivePriceLists", "GetAllPriceLists":
		caps, err := c.policyCapabilities(ctx, u, op)
		if err != nil || !caps[connector.CapCachePriceLists] {
			return cacheKey{}, 0, false, err
		}
		return cacheKey{user: u, op: op, arg: strings.ToUpper(args.IsoCurrencyCode)}, cacheTTL, true, nil
	case "GetSearchableFields":
		return cacheKey{op: op}, 0, true, nil
	case "GetNumberOfProductImages":
		return cacheKey{op: op, arg: args.ErpProductKey}, 0, true, nil
	case "GetProductImage":
		rank := string(bytes.TrimSpace(args.Rank))
		return cacheKey{op: op, arg: args.ErpProductKey + "\x00" + rank}, 0, true, nil
	}
	return cacheKey{}, 0, false, nil
}

// policyCapabilities returns u's capabilities for a caching decision about op. A
// connector without GetCapabilities has none.
func (c *Client) policyCapabilities(ctx context.Context, u User, op string) (map[string]bool, error) {
	caps, err := c.capabilities(ctx, u, false)
	if errors.Is(err, ErrNotImplemented) {
		return map[string]bool{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("netserver: %s needs the capabilities: %w", op, err)
	}
	return caps, nil
}

// lookup returns a live cached result and, when count is set, counts the call it saved.
func (c *Client) lookup(key cacheKey, op string, count bool) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.cache[key]
	if !ok {
		return nil, false
	}
	if !e.expires.IsZero() && !c.now().Before(e.expires) {
		delete(c.cache, key)
		return nil, false
	}
	if count {
		c.saved[op]++
	}
	return e.raw, true
}

func (c *Client) store(key cacheKey, raw []byte, ttl time.Duration) {
	e := cached{raw: raw}
	c.mu.Lock()
	defer c.mu.Unlock()
	if ttl > 0 {
		e.expires = c.now().Add(ttl)
	}
	c.cache[key] = e
}
