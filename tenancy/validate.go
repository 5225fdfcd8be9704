package tenancy

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/quotekit/quotekit/connector"
)

// Bounds of what the Service accepts, in bytes.
const (
	MaxName         = 200 // a tenant's name, an ERP user
	MaxAppID        = 128
	MaxConfigKey    = 128
	MaxConfigValue  = 4096
	MaxReason       = 200 // the reason recorded with a change
	MaxEmail        = 254 // an e-mail address of a user mapping
	MaxAdminKeyName = 128 // the name of an admin key
	MaxEnvName      = 64  // the name of a SuperOffice environment
)

// ErrInvalid is matched by every *InvalidError: input the Service refuses to store.
var ErrInvalid = errors.New("invalid")

// Fields an InvalidError names.
const (
	FieldID          = "id"
	FieldName        = "name"
	FieldEnvironment = "environment"
	FieldSOEnvs      = "superoffice_envs"
	FieldAppID       = "app_id"
	FieldConfig      = "config"
	FieldAssociateID = "associate_id"
	FieldEmail       = "email"
	FieldERPUser     = "erp_user"
	FieldUser        = "user" // a mapping with neither an associate id nor an e-mail
	FieldReason      = "reason"
	FieldBefore      = "before" // the cut-off of an audit prune
)

// InvalidError says which field of a change breaks which rule. It matches ErrInvalid.
type InvalidError struct {
	Field string // one of the Field constants
	Rule  string // the rule, for people, e.g. "must be 1 to 200 printable characters"
}

func (e *InvalidError) Error() string { return e.Field + " " + e.Rule }

// Is reports whether target is ErrInvalid.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

func invalid(field, format string, a ...any) error {
	return &InvalidError{Field: field, Rule: fmt.Sprintf(format, a...)}
}

// Printable reports whether s has no control or format characters.
func Printable(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) })
}

// CheckTenantID checks that id is a SuperOffice tenant id (TenantPattern).
func CheckTenantID(id string) error {
	if !TenantPattern.MatchString(id) {
		return invalid(FieldID, "must be Cust followed by 1 to 10 digits")
	}
	return nil
}

// CheckName returns name trimmed, or an *InvalidError when it is empty, longer than
// MaxName bytes or not Printable.
func CheckName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > MaxName || !Printable(name) {
		return "", invalid(FieldName, "must be 1 to %d printable characters", MaxName)
	}
	return name, nil
}

// CheckEnvironment checks that e is test or live.
func CheckEnvironment(e connector.Environment) error {
	if e != connector.EnvironmentTest && e != connector.EnvironmentLive {
		return invalid(FieldEnvironment, "must be test or live")
	}
	return nil
}

// SuperOfficeEnvModes are SuperOffice's environments that sign JWTs, with the tenant
// environment each belongs to. CheckSuperOfficeEnvs refuses to bind a tenant to one of
// them across modes (a live tenant to sod); other names are local environments a
// deployment configures itself.
var SuperOfficeEnvModes = map[string]connector.Environment{
	"sod":      connector.EnvironmentTest,
	"qaonline": connector.EnvironmentTest,
	"online":   connector.EnvironmentLive,
}

// CheckSuperOfficeEnvs returns the names of SuperOffice environments a tenant of mode is
// bound to (Tenant.SuperOfficeEnvs) trimmed, with ASCII letters lower-cased and without
// repeats, or an *InvalidError when one is empty, longer than MaxEnvName bytes, holds
// anything but ASCII letters, digits, '.', '-' and '_', or is one of SuperOfficeEnvModes
// belonging to the other mode.
func CheckSuperOfficeEnvs(names []string, mode connector.Environment) ([]string, error) {
	var out []string
	for _, n := range names {
		n = ASCIILower(strings.TrimSpace(n))
		if n == "" || len(n) > MaxEnvName || strings.ContainsFunc(n, func(r rune) bool {
			return !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '.' || r == '-' || r == '_')
		}) {
			return nil, invalid(FieldSOEnvs, "must be names of 1 to %d ASCII letters, digits, '.', '-' or '_', such as sod, qaonline or online", MaxEnvName)
		}
		if m, ok := SuperOfficeEnvModes[n]; ok && m != mode {
			return nil, invalid(FieldSOEnvs, "%s is a SuperOffice %s environment; the tenant's environment is %s", n, m, mode)
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out, nil
}

// CheckAppIDs returns the AppIds trimmed and without repeats (compared as
// authentication compares them, ASCII case-insensitively), or an *InvalidError when one
// is empty, longer than MaxAppID bytes, or holds a space, a comma or a control character.
func CheckAppIDs(ids []string) ([]string, error) {
	var out []string
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" || len(id) > MaxAppID || strings.ContainsFunc(id, func(r rune) bool { return r <= ' ' || r == ',' }) || !Printable(id) {
			return nil, invalid(FieldAppID, "must be 1 to %d printable characters without spaces or commas", MaxAppID)
		}
		if !slices.ContainsFunc(out, func(o string) bool { return ASCIIEqualFold(o, id) }) {
			out = append(out, id)
		}
	}
	return out, nil
}

// CheckConfig checks the connector configuration: keys Printable and at most
// MaxConfigKey bytes, values at most MaxConfigValue bytes.
func CheckConfig(m map[string]string) error {
	for k, v := range m {
		if len(k) > MaxConfigKey || !Printable(k) || len(v) > MaxConfigValue {
			return invalid(FieldConfig, "keys must be printable and at most %d bytes, values at most %d bytes", MaxConfigKey, MaxConfigValue)
		}
	}
	return nil
}

// CheckTenant checks every field of t that a change writes (id, name, environment,
// SuperOfficeEnvs, AppIDs, config) and returns t with its name trimmed and its
// SuperOfficeEnvs and AppIDs normalised as CheckSuperOfficeEnvs and CheckAppIDs do.
// Errors are *InvalidError.
func CheckTenant(t Tenant) (Tenant, error) {
	var err error
	if err = CheckTenantID(t.ID); err != nil {
		return Tenant{}, err
	}
	if t.Name, err = CheckName(t.Name); err != nil {
		return Tenant{}, err
	}
	if err = CheckEnvironment(t.Environment); err != nil {
		return Tenant{}, err
	}
	if t.SuperOfficeEnvs, err = CheckSuperOfficeEnvs(t.SuperOfficeEnvs, t.Environment); err != nil {
		return Tenant{}, err
	}
	if t.AppIDs, err = CheckAppIDs(t.AppIDs); err != nil {
		return Tenant{}, err
	}
	return t, CheckConfig(t.Config)
}

// CheckUserKey checks the SuperOffice side of a mapping and returns it with the e-mail
// trimmed: an associate id that is not negative, an e-mail that looks like one, and at
// least one of the two. Errors are *InvalidError.
func CheckUserKey(m UserMapping) (UserMapping, error) {
	if m.AssociateID < 0 {
		return m, invalid(FieldAssociateID, "must not be negative")
	}
	m.Email = strings.TrimSpace(m.Email)
	if m.Email != "" && (!strings.Contains(m.Email, "@") || len(m.Email) > MaxEmail || !Printable(m.Email) || strings.ContainsRune(m.Email, ' ')) {
		return m, invalid(FieldEmail, "must be an e-mail address")
	}
	if m.AssociateID == 0 && m.Email == "" {
		return m, invalid(FieldUser, "needs an associate id or an e-mail")
	}
	return m, nil
}

// CheckUserMapping checks a whole mapping: CheckUserKey, and an ERP user of 1 to MaxName
// printable characters (trimmed). Errors are *InvalidError.
func CheckUserMapping(m UserMapping) (UserMapping, error) {
	if err := CheckTenantID(m.TenantID); err != nil {
		return m, err
	}
	m, err := CheckUserKey(m)
	if err != nil {
		return m, err
	}
	m.ERPUser = strings.TrimSpace(m.ERPUser)
	if m.ERPUser == "" || len(m.ERPUser) > MaxName || !Printable(m.ERPUser) {
		return m, invalid(FieldERPUser, "must be 1 to %d printable characters", MaxName)
	}
	return m, nil
}

// CheckReason returns the reason of a change trimmed, or an *InvalidError when it is
// longer than MaxReason bytes or not Printable. An empty reason is fine.
func CheckReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if len(reason) > MaxReason || !Printable(reason) {
		return "", invalid(FieldReason, "must be at most %d printable characters", MaxReason)
	}
	return reason, nil
}

// FoldEmail returns email trimmed of white space, with the ASCII letters A to Z
// lower-cased and every other character left as it is. E-mails of user mappings are
// stored and compared in this form: ASCII-case-insensitively only, as SQLite's NOCASE
// collation compares them. Unicode case folding would map other characters onto ASCII
// letters (the Kelvin sign U+212A onto k), letting one user's address name another's.
func FoldEmail(email string) string { return ASCIILower(strings.TrimSpace(email)) }

// ASCIILower returns s with the ASCII letters A to Z lower-cased and every other byte
// unchanged.
func ASCIILower(s string) string {
	i := strings.IndexFunc(s, func(r rune) bool { return 'A' <= r && r <= 'Z' })
	if i < 0 {
		return s
	}
	b := []byte(s)
	for ; i < len(b); i++ {
		if c := b[i]; 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}

// ASCIIEqualFold reports whether a and b are equal with the ASCII letters compared
// case-insensitively and every other byte exactly.
func ASCIIEqualFold(a, b string) bool {
	return len(a) == len(b) && ASCIILower(a) == ASCIILower(b)
}
