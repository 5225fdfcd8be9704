package tenancy

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
)

// MasterKeyEnv is the environment variable that may carry the master key (base64 of 32 bytes).
const MasterKeyEnv = "QUOTEKIT_MASTER_KEY"

// Keyring encrypts the copy of each shared secret that HS256 verification needs
// (SuperOffice's draft has NetServer sign a JWT with the shared secret, which a hash alone
// cannot verify). Nothing else is ever decrypted. Encryption uses the newest key; every key
// stays usable for decryption, so the master key can rotate. A key's id is derived from
// the key, so the id stored beside a ciphertext never reveals it.
type Keyring struct {
	current string
	aeads   map[string]cipher.AEAD
}

// NewKeyring builds a keyring from 32-byte keys, the last one being current.
func NewKeyring(keys ...[]byte) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, errors.New("keyring: no key")
	}
	k := &Keyring{aeads: make(map[string]cipher.AEAD, len(keys))}
	for _, key := range keys {
		if len(key) != 32 {
			return nil, fmt.Errorf("keyring: a master key must be 32 bytes, got %d", len(key))
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		id := keyID(key)
		k.aeads[id], k.current = aead, id
	}
	return k, nil
}

func keyID(key []byte) string {
	sum := sha256.Sum256(append([]byte("quotekit master key id\x00"), key...))
	return "mk_" + hex.EncodeToString(sum[:6])
}

// copyLabel starts the associated data of a copy bound to its secret; copies made before
// that binding carry the tenant id alone.
const copyLabel = "quotekit secret copy v2\x00"

// associatedData binds a copy to its tenant and to its secret, named by the SHA-256 the
// store keeps it under (a tenant id never holds a NUL byte).
func associatedData(tenantID string, hash [32]byte) []byte {
	ad := make([]byte, 0, len(copyLabel)+len(tenantID)+1+len(hash))
	ad = append(ad, copyLabel...)
	ad = append(ad, tenantID...)
	ad = append(ad, 0)
	return append(ad, hash[:]...)
}

// Encrypt seals plaintext, a shared secret of tenantID, and returns the ciphertext and the
// id of the key used. The tenant and the secret itself (its SHA-256, the hash the store
// keeps it under) are bound as associated data, so a ciphertext opens neither for another
// tenant nor as the copy of another secret.
func (k *Keyring) Encrypt(tenantID string, plaintext []byte) (ciphertext []byte, id string, err error) {
	aead := k.aeads[k.current]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, "", err
	}
	return aead.Seal(nonce, nonce, plaintext, associatedData(tenantID, sha256.Sum256(plaintext))), k.current, nil
}

// Decrypt opens the copy of the secret of tenantID stored under hash, made by Encrypt
// under key id. A copy made before copies were bound to their secret (the tenant id alone
// as associated data) opens too. Either way the plaintext must hash to hash, so a copy
// moved onto another secret's row, or not of the secret stored there, is refused. Errors
// say only that the copy does not open (or that the key id or the ciphertext is unusable),
// never what it holds.
func (k *Keyring) Decrypt(tenantID string, hash [32]byte, ciphertext []byte, id string) ([]byte, error) {
	aead, ok := k.aeads[id]
	if !ok {
		return nil, fmt.Errorf("keyring: unknown master key %s", id)
	}
	if len(ciphertext) < aead.NonceSize() {
		return nil, errors.New("keyring: ciphertext too short")
	}
	nonce, sealed := ciphertext[:aead.NonceSize()], ciphertext[aead.NonceSize():]
	plain, err := aead.Open(nil, nonce, sealed, associatedData(tenantID, hash))
	if err != nil {
		plain, err = aead.Open(nil, nonce, sealed, []byte(tenantID))
	}
	if err != nil {
		return nil, errors.New("keyring: ciphertext does not open")
	}
	if sum := sha256.Sum256(plain); subtle.ConstantTimeCompare(sum[:], hash[:]) != 1 {
		clear(plain)
		return nil, errors.New("keyring: the copy is not the secret stored under its hash")
	}
	return plain, nil
}

// LoadMasterKey reads the master key from the environment value (base64 of 32 bytes)
// when it is set, else from the file at path. With create, a missing file is created
// with a fresh key and mode 0600 (development mode); otherwise a missing key is an error.
// Several keys, for rotation, are separated by commas or lines; the last one is current.
func LoadMasterKey(envValue, path string, create bool) (*Keyring, error) {
	text := envValue
	if text == "" {
		b, err := os.ReadFile(path)
		switch {
		case errors.Is(err, os.ErrNotExist) && create:
			key := make([]byte, 32)
			if _, err := rand.Read(key); err != nil {
				return nil, err
			}
			text = base64.StdEncoding.EncodeToString(key)
			if err := os.WriteFile(path, []byte(text+"\n"), 0o600); err != nil {
				return nil, fmt.Errorf("create master key file: %w", err)
			}
		case err != nil:
			return nil, fmt.Errorf("read master key (set %s or create %s): %w", MasterKeyEnv, path, err)
		default:
			text = string(b)
		}
	}
	var keys [][]byte
	for _, field := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' || r == ' ' }) {
		key, err := base64.StdEncoding.DecodeString(field)
		if err != nil {
			return nil, errors.New("master key is not base64") // never echo the key
		}
		keys = append(keys, key)
	}
	return NewKeyring(keys...)
}
