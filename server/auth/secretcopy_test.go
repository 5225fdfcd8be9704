package auth_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"testing"

	"github.com/quotekit/quotekit/connector"
	"github.com/quotekit/quotekit/tenancy"
)

// setCopy overwrites the encrypted copy stored with secret id, as someone with write
// access to the database file could.
func (e *env) setCopy(id int64, ciphertext []byte, keyID string) {
	e.t.Helper()
	db, err := sql.Open("sqlite3", e.dbPath)
	if err != nil {
		e.t.Fatal(err)
	}
	defer db.Close()
	res, err := db.ExecContext(context.Background(), `UPDATE secrets SET ciphertext = ?, key_id = ? WHERE id = ?`, ciphertext, keyID, id)
	if err != nil {
		e.t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		e.t.Fatalf("secret %d: %d rows changed", id, n)
	}
}

// legacyCopy encrypts plain as copies were encrypted before they were bound to their
// secret: AES-256-GCM under the test master key, the tenant id alone as associated data.
func legacyCopy(t *testing.T, tenantID, plain string) ([]byte, string) {
	t.Helper()
	master := bytes.Repeat([]byte{9}, 32) // newEnv's master key
	block, err := aes.NewCipher(master)
	if err != nil {
		t.Fatal(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		t.Fatal(err)
	}
	k, err := tenancy.NewKeyring(master)
	if err != nil {
		t.Fatal(err)
	}
	_, keyID, err := k.Encrypt(tenantID, []byte("probe"))
	if err != nil {
		t.Fatal(err)
	}
	return aead.Seal(nonce, nonce, []byte(plain), []byte(tenantID)), keyID
}

// TestSecretCopyBoundToItsSecret: the encrypted copy that verifies HS256 JWTs is bound to
// its own secret. A copy moved onto another secret's row (here: a revoked secret's copy
// onto an active one) and a copy whose plaintext is not the secret stored under that
// hash are both refused; a copy made before the binding still verifies its own secret.
func TestSecretCopyBoundToItsSecret(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.tenant("Cust100", connector.EnvironmentTest)
	revoked, old := e.secret("Cust100")
	active, cur := e.secret("Cust100")
	if err := e.admin.RevokeSecret(ctx, "Cust100", old.ID, "test"); err != nil {
		t.Fatal(err)
	}
	accepted := func(secret string) bool {
		t.Helper()
		switch a := e.post("/FindProduct", "Bearer "+e.hs256(secret, "Cust100"), "application/json", `{}`); a.status {
		case 404: // past authentication, at the connector (connector.Unsupported)
			return true
		case 401:
			return false
		default:
			t.Fatalf("status %d: %s", a.status, a.body)
			return false
		}
	}
	if !accepted(active) || accepted(revoked) {
		t.Fatal("before any change: the active secret must pass and the revoked one not")
	}

	t.Run("a revoked secret's copy moved onto an active secret", func(t *testing.T) {
		secs, err := e.store.SecretsOf(ctx, "Cust100")
		if err != nil {
			t.Fatal(err)
		}
		var moved tenancy.Secret
		for _, s := range secs {
			if s.ID == old.ID {
				moved = s
			}
		}
		e.setCopy(cur.ID, moved.Ciphertext, moved.KeyID)
		if accepted(revoked) {
			t.Error("a JWT signed with the revoked secret passed through the active secret's row")
		}
	})
	t.Run("a copy that is not the stored secret", func(t *testing.T) {
		other, err := tenancy.NewCredential(tenancy.KindSecret, connector.EnvironmentTest)
		if err != nil {
			t.Fatal(err)
		}
		ct, keyID := legacyCopy(t, "Cust100", other)
		e.setCopy(cur.ID, ct, keyID)
		if accepted(other) {
			t.Error("a JWT signed with a plaintext that does not hash to the stored hash passed")
		}
	})
	t.Run("a copy made before the binding", func(t *testing.T) {
		ct, keyID := legacyCopy(t, "Cust100", active)
		e.setCopy(cur.ID, ct, keyID)
		if !accepted(active) {
			t.Error("a copy encrypted with the tenant alone as associated data no longer verifies its secret")
		}
	})
}
