package dbrow

import "github.com/quotekit/quotekit/tenancy"

// Rows is what reading a result set needs of a driver: database/sql's *sql.Rows and pgx's
// pgx.Rows both have it.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// collect scans every row of rows into a new R and converts it with conv, in order, and
// stops at the first error. No row gives nil, the zero value the tests compare with. It
// does not close rows.
func collect[R, T any](rows Rows, dest func(*R) []any, conv func(*R) (T, error)) ([]T, error) {
	var out []T
	for rows.Next() {
		var r R
		if err := rows.Scan(dest(&r)...); err != nil {
			return nil, err
		}
		v, err := conv(&r)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// Tenants reads every row of a SELECT of TenantCols.
func Tenants(rows Rows) ([]tenancy.Tenant, error) {
	return collect(rows, (*Tenant).Dest, (*Tenant).Tenant)
}

// Secrets reads every row of a SELECT of SecretCols.
func Secrets(rows Rows) ([]tenancy.Secret, error) {
	return collect(rows, (*Secret).Dest, (*Secret).Secret)
}

// Tokens reads every row of a SELECT of TokenCols.
func Tokens(rows Rows) ([]tenancy.AccessToken, error) {
	return collect(rows, (*Token).Dest, (*Token).Token)
}

// AdminKeys reads every row of a SELECT of AdminKeyCols.
func AdminKeys(rows Rows) ([]tenancy.AdminKey, error) {
	return collect(rows, (*AdminKey).Dest, (*AdminKey).AdminKey)
}

// AuditEvents reads every row of a SELECT of AuditCols.
func AuditEvents(rows Rows) ([]tenancy.AuditEvent, error) {
	return collect(rows, (*AuditEvent).Dest, func(r *AuditEvent) (tenancy.AuditEvent, error) { return r.Event(), nil })
}

// UserMappings reads every row of a SELECT of UserMappingCols of tenant tenantID.
func UserMappings(rows Rows, tenantID string) ([]tenancy.UserMapping, error) {
	return collect(rows, (*UserMapping).Dest, func(r *UserMapping) (tenancy.UserMapping, error) { return r.Mapping(tenantID), nil })
}
