package tenancy_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quotekit/quotekit/tenancy"
)

func TestKeyring(t *testing.T) {
	old, cur := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	k1, err := tenancy.NewKeyring(old)
	if err != nil {
		t.Fatal(err)
	}
	sealedOld, idOld, err := k1.Encrypt("Cust1", []byte("qk_sk_test_secret"))
	if err != nil {
		t.Fatal(err)
	}
	k2, err := tenancy.NewKeyring(old, cur)
	if err != nil {
		t.Fatal(err)
	}
	sealed, id, err := k2.Encrypt("Cust1", []byte("qk_sk_test_secret"))
	if err != nil {
		t.Fatal(err)
	}
	hash := sha256.Sum256([]byte("qk_sk_test_secret"))
	sibling, siblingID, err := k2.Encrypt("Cust1", []byte("qk_sk_test_sibling"))
	if err != nil {
		t.Fatal(err)
	}
	legacy := legacySeal(t, cur, "Cust1", "qk_sk_test_secret")
	impostor := legacySeal(t, cur, "Cust1", "qk_sk_test_impostor")
	if id == idOld {
		t.Error("a rotated keyring encrypts with the old key")
	}
	if bytes.Contains(sealed, []byte("secret")) || strings.Contains(id, base64.StdEncoding.EncodeToString(cur)[:8]) {
		t.Error("ciphertext or key id shows what it protects")
	}
	for _, c := range []struct {
		name    string
		tenant  string
		sealed  []byte
		id      string
		wantErr bool
	}{
		{"current key", "Cust1", sealed, id, false},
		{"rotated-out key still decrypts", "Cust1", sealedOld, idOld, false},
		{"another tenant", "Cust2", sealed, id, true},
		{"tampered", "Cust1", append(append([]byte{}, sealed[:len(sealed)-1]...), sealed[len(sealed)-1]^1), id, true},
		{"unknown key id", "Cust1", sealed, "mk_000000000000", true},
		{"too short", "Cust1", sealed[:4], id, true},
		{"another secret's copy of the same tenant", "Cust1", sibling, siblingID, true},
		{"a copy made before the binding", "Cust1", legacy, id, false},
		{"an old-style copy of another plaintext", "Cust1", impostor, id, true},
		{"an old-style copy for another tenant", "Cust2", legacy, id, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			plain, err := k2.Decrypt(c.tenant, hash, c.sealed, c.id)
			if (err != nil) != c.wantErr || (!c.wantErr && string(plain) != "qk_sk_test_secret") {
				t.Errorf("plain %q, err %v", plain, err)
			}
		})
	}
	if _, err := tenancy.NewKeyring([]byte("short")); err == nil {
		t.Error("a 5-byte key was accepted")
	}
}

// legacySeal encrypts plain under key as copies were encrypted before they were bound to
// their secret: the tenant id alone as associated data.
func legacySeal(t *testing.T, key []byte, tenantID, plain string) []byte {
	t.Helper()
	block, err := aes.NewCipher(key)
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
	return aead.Seal(nonce, nonce, []byte(plain), []byte(tenantID))
}

func TestLoadMasterKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "master.key")
	if _, err := tenancy.LoadMasterKey("", path, false); err == nil {
		t.Fatal("a missing key file was accepted outside development mode")
	}
	k, err := tenancy.LoadMasterKey("", path, true)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, err %v", info.Mode().Perm(), err)
	}
	sealed, id, _ := k.Encrypt("Cust1", []byte("x"))
	again, err := tenancy.LoadMasterKey("", path, true)
	if err != nil {
		t.Fatal(err)
	}
	if plain, err := again.Decrypt("Cust1", sha256.Sum256([]byte("x")), sealed, id); err != nil || string(plain) != "x" {
		t.Errorf("reloaded key does not decrypt: %v", err)
	}
	fromEnv, err := tenancy.LoadMasterKey(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)), filepath.Join(dir, "absent"), false)
	if err != nil || fromEnv == nil {
		t.Errorf("key from the environment: %v", err)
	}
	if _, err := tenancy.LoadMasterKey("not base64!", path, false); err == nil || strings.Contains(err.Error(), "not base64!") {
		t.Errorf("bad key accepted or echoed: %v", err)
	}
}
