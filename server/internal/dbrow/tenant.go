package dbrow

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/tenancy"
)

// TenantCols are the columns of tenants (alias t) that Tenant.Dest receives, in order.
const TenantCols = `t.id, t.name, t.environment, t.app_ids, t.enabled, t.config,
	t.tokens_valid_after, t.created_at, t.updated_at, t.superoffice_envs`

// Tenant receives the TenantCols of a row.
type Tenant struct {
	t                tenancy.Tenant
	env              string
	appIDs, config   string
	soEnvs           string
	validAfter       *int64
	created, updated int64
}

// Dest returns the scan destinations of the TenantCols, in order.
func (r *Tenant) Dest() []any {
	return []any{&r.t.ID, &r.t.Name, &r.env, &r.appIDs, &r.t.Enabled, &r.config,
		&r.validAfter, &r.created, &r.updated, &r.soEnvs}
}

// Tenant returns the tenant the scanned row holds. Empty lists and maps come back nil,
// the zero value they were most likely stored as. It fails with a plain error naming the
// tenant and the column when a JSON column does not decode.
func (r *Tenant) Tenant() (tenancy.Tenant, error) {
	t := r.t
	t.Environment = connector.Environment(r.env)
	t.TokensValidAfter = TimeOf(r.validAfter)
	t.CreatedAt = NanosTime(r.created)
	t.UpdatedAt = NanosTime(r.updated)
	if err := json.Unmarshal([]byte(r.appIDs), &t.AppIDs); err != nil {
		return tenancy.Tenant{}, fmt.Errorf("tenant %s: app_ids: %w", t.ID, err)
	}
	if len(t.AppIDs) == 0 {
		t.AppIDs = nil
	}
	if err := json.Unmarshal([]byte(r.soEnvs), &t.SuperOfficeEnvs); err != nil {
		return tenancy.Tenant{}, fmt.Errorf("tenant %s: superoffice_envs: %w", t.ID, err)
	}
	if len(t.SuperOfficeEnvs) == 0 {
		t.SuperOfficeEnvs = nil
	}
	if err := json.Unmarshal([]byte(r.config), &t.Config); err != nil {
		return tenancy.Tenant{}, fmt.Errorf("tenant %s: config: %w", t.ID, err)
	}
	if len(t.Config) == 0 {
		t.Config = nil
	}
	return t, nil
}

// ValidEnvironment reports whether e is one the schema accepts: test or live.
func ValidEnvironment(e connector.Environment) bool {
	return e == connector.EnvironmentTest || e == connector.EnvironmentLive
}

// ValidTenantID reports whether id has the form of a SuperOffice tenant id
// (tenancy.TenantPattern), which the schema also enforces.
func ValidTenantID(id string) bool {
	return tenancy.TenantPattern.MatchString(id)
}

// TenantJSON validates t as CreateTenant and UpdateTenant write it and encodes its JSON
// columns: app_ids and superoffice_envs as JSON arrays ([] for nil), config as a JSON
// object ({} for nil). It fails with a plain error when the id does not have the form of
// a tenant id (see ValidTenantID) or the environment is neither test nor live.
func TenantJSON(t tenancy.Tenant) (appIDs, config, soEnvs string, err error) {
	if !ValidTenantID(t.ID) {
		return "", "", "", fmt.Errorf("tenant id %q does not match Cust followed by 1 to 10 digits", t.ID)
	}
	if !ValidEnvironment(t.Environment) {
		return "", "", "", fmt.Errorf("tenant %s: environment %q is neither test nor live", t.ID, t.Environment)
	}
	a, err := jsonList(t.AppIDs)
	if err != nil {
		return "", "", "", err
	}
	e, err := jsonList(t.SuperOfficeEnvs)
	if err != nil {
		return "", "", "", err
	}
	cfg := t.Config
	if cfg == nil {
		cfg = map[string]string{}
	}
	c, err := json.Marshal(cfg)
	if err != nil {
		return "", "", "", err
	}
	return a, string(c), e, nil
}

// jsonList encodes a list as a JSON array, [] for nil.
func jsonList(l []string) (string, error) {
	if l == nil {
		l = []string{}
	}
	b, err := json.Marshal(l)
	return string(b), err
}

// TenantIssuable decides, from a tenant's enabled and tokens_valid_after columns,
// whether a token issued at issued may be stored. It fails with an error wrapping
// tenancy.ErrTenantDisabled when the tenant is disabled or issued is at or before its
// TokensValidAfter.
func TenantIssuable(id string, enabled bool, validAfter *int64, issued time.Time) error {
	switch {
	case !enabled:
		return fmt.Errorf("tenant %s is disabled: %w", id, tenancy.ErrTenantDisabled)
	case validAfter != nil && issued.UnixNano() <= *validAfter:
		return fmt.Errorf("tenant %s invalidated its tokens up to %s: %w", id, TimeOf(validAfter), tenancy.ErrTenantDisabled)
	}
	return nil
}

// MappingKeys returns the keys of a user mapping as column values: the associate id,
// nil (NULL) when it is 0, and the e-mail folded by tenancy.FoldEmail (ASCII letters
// only), nil when it is empty.
func MappingKeys(associateID int32, email string) []any {
	keys := []any{nil, nil}
	if associateID != 0 {
		keys[0] = associateID
	}
	if e := tenancy.FoldEmail(email); e != "" {
		keys[1] = e
	}
	return keys
}

// CheckMappingKeys fails with a plain error when keys (from MappingKeys) has neither an
// associate id nor an e-mail.
func CheckMappingKeys(keys []any) error {
	if keys[0] == nil && keys[1] == nil {
		return fmt.Errorf("a mapping needs an associate id or an e-mail")
	}
	return nil
}

// CheckMapping refuses, with a plain error, a mapping SetUserMapping cannot store: a
// negative associate id, neither an associate id nor an e-mail (keys from MappingKeys),
// or no ERP user.
func CheckMapping(m tenancy.UserMapping, keys []any) error {
	switch {
	case m.AssociateID < 0:
		return fmt.Errorf("negative associate id")
	case keys[0] == nil && keys[1] == nil:
		return CheckMappingKeys(keys)
	case m.ERPUser == "":
		return fmt.Errorf("a mapping needs an ERP user")
	}
	return nil
}

// UserMappingCols are the columns of user_mappings that UserMapping.Dest receives, in
// order.
const UserMappingCols = `associate_id, email, erp_user`

// UserMapping receives the UserMappingCols of a row.
type UserMapping struct {
	associateID *int32
	email       *string
	erpUser     string
}

// Dest returns the scan destinations of the UserMappingCols, in order.
func (r *UserMapping) Dest() []any {
	return []any{&r.associateID, &r.email, &r.erpUser}
}

// Mapping returns the scanned mapping of tenant tenantID: AssociateID 0 and Email ""
// where the row has NULL.
func (r *UserMapping) Mapping(tenantID string) tenancy.UserMapping {
	m := tenancy.UserMapping{TenantID: tenantID, ERPUser: r.erpUser}
	if r.associateID != nil {
		m.AssociateID = *r.associateID
	}
	if r.email != nil {
		m.Email = *r.email
	}
	return m
}

// TenantInsertCols are the columns of tenants that NewTenantValues gives values for, in
// order, as an INSERT lists them.
const TenantInsertCols = `(id, name, environment, app_ids, enabled, config, tokens_valid_after, created_at, updated_at, superoffice_envs)`

// NewTenantValues decides CreateTenant's row for t, whose CreatedAt the store has set:
// a zero UpdatedAt is CreatedAt. It returns the values of the TenantInsertCols, and fails
// as TenantJSON does, or with a plain error when a time is outside the storable range
// (see CheckTimes).
func NewTenantValues(t tenancy.Tenant) ([]any, error) {
	appIDs, config, soEnvs, err := TenantJSON(t)
	if err != nil {
		return nil, err
	}
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = t.CreatedAt
	}
	if err := CheckTimes(t.CreatedAt, t.UpdatedAt, t.TokensValidAfter); err != nil {
		return nil, err
	}
	return []any{t.ID, t.Name, string(t.Environment), appIDs, t.Enabled, config,
		NullTime(t.TokensValidAfter), t.CreatedAt.UnixNano(), t.UpdatedAt.UnixNano(), soEnvs}, nil
}

// TenantUpdateValues decides UpdateTenant's change of t, whose UpdatedAt the store has
// set. It returns, in order, the name, environment, app_ids, config, updated_at and
// superoffice_envs values and last the id. It fails as TenantJSON does, the error also
// wrapping tenancy.ErrNotFound when the id is malformed (no tenant can have it), or with
// a plain error when UpdatedAt is outside the storable range (see CheckTimes).
func TenantUpdateValues(t tenancy.Tenant) ([]any, error) {
	appIDs, config, soEnvs, err := TenantJSON(t)
	if err != nil {
		if !ValidTenantID(t.ID) {
			return nil, fmt.Errorf("%w: %w", err, tenancy.ErrNotFound)
		}
		return nil, err
	}
	if err := CheckTimes(t.UpdatedAt); err != nil {
		return nil, err
	}
	return []any{t.Name, string(t.Environment), appIDs, config, t.UpdatedAt.UnixNano(), soEnvs, t.ID}, nil
}
