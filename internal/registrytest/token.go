package registrytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TokenServer issues Docker registry bearer tokens (JWT, ES256, x5c) to
// one user, granting every action asked for. It counts token requests.
type TokenServer struct {
	URL      string
	CertFile string
	Requests atomic.Int64

	key  *ecdsa.PrivateKey
	cert []byte
}

const (
	tokenService = "dockwright-test-registry"
	tokenIssuer  = "dockwright-test-issuer"
)

// WithTokenAuth protects the registry with bearer tokens from a token
// server that accepts user:password (basic auth), as Docker Hub, Harbor or
// GitLab do. The server is returned through ts.
func WithTokenAuth(t testing.TB, user, password string, ts **TokenServer) Option {
	srv := newTokenServer(t, user, password)
	*ts = srv
	return func(s *settings) { s.token = srv }
}

func newTokenServer(t testing.TB, user, password string) *TokenServer {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: tokenIssuer},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ts := &TokenServer{key: key, cert: der, CertFile: filepath.Join(t.TempDir(), "token.pem")}
	if err := os.WriteFile(ts.CertFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts.Requests.Add(1)
		u, p, ok := r.BasicAuth()
		if !ok || u != user || p != password {
			w.Header().Set("WWW-Authenticate", `Basic realm="token"`)
			http.Error(w, `{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}`, http.StatusUnauthorized)
			return
		}
		var access []map[string]any
		for _, sc := range r.URL.Query()["scope"] {
			parts := strings.Split(sc, ":")
			if len(parts) < 3 {
				continue
			}
			access = append(access, map[string]any{
				"type": parts[0], "name": strings.Join(parts[1:len(parts)-1], ":"),
				"actions": strings.Split(parts[len(parts)-1], ","),
			})
		}
		tok, err := ts.sign(u, r.URL.Query().Get("service"), access)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"token": tok, "access_token": tok, "expires_in": 300})
	}))
	t.Cleanup(srv.Close)
	ts.URL = srv.URL
	return ts
}

func (ts *TokenServer) sign(sub, aud string, access []map[string]any) (string, error) {
	now := time.Now()
	header := map[string]any{"alg": "ES256", "typ": "JWT", "x5c": []string{base64.StdEncoding.EncodeToString(ts.cert)}}
	claims := map[string]any{
		"iss": tokenIssuer, "sub": sub, "aud": aud, "exp": now.Add(5 * time.Minute).Unix(),
		"nbf": now.Add(-time.Minute).Unix(), "iat": now.Unix(), "jti": base64.RawURLEncoding.EncodeToString(big.NewInt(now.UnixNano()).Bytes()),
		"access": access,
	}
	enc := func(v any) (string, error) {
		b, err := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b), err
	}
	h, err := enc(header)
	if err != nil {
		return "", err
	}
	c, err := enc(claims)
	if err != nil {
		return "", err
	}
	digest := sha256.Sum256([]byte(h + "." + c))
	r, s, err := ecdsa.Sign(rand.Reader, ts.key, digest[:])
	if err != nil {
		return "", err
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return h + "." + c + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}
