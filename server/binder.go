package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"sync"

	jsonv1 "github.com/go-json-experiment/json/v1"
	"github.com/labstack/echo/v4"

	"github.com/quotekit/quotekit/connector"
)

// errMediaType is a body that is not JSON (415).
var errMediaType = errors.New("unsupported media type")

// malformedError is a body that is not the JSON the operation expects. Its message is
// ours, never the decoder's, so nothing of the server's internals reaches the caller.
type malformedError struct{ msg string }

func (e *malformedError) Error() string { return e.msg }

// jsonBinder replaces echo's binder, which also accepts XML and forms, tolerates trailing
// data and reports decoder internals. It reads exactly one JSON value, answers io.EOF for
// an empty body (the operation routes treat that as "no body"), and strips SuperOffice's
// own keys from ConfigValues before any connector sees them.
type jsonBinder struct{}

func (jsonBinder) Bind(target any, c echo.Context) error {
	r := c.Request()
	body := bufferedBody(r)
	if _, err := body.Peek(); err != nil {
		return err // io.EOF for an empty body, or the body limit
	}
	if !isJSON(r.Header.Get(echo.HeaderContentType)) {
		return errMediaType
	}
	// The common case, a whole body holding one valid value, is read into a pooled buffer
	// and decoded in one go by fastUnmarshal. Anything it refuses is decoded again from
	// the same bytes by encoding/json, and anything that refuses (a read error, the body
	// limit, bad JSON, more than one value) by decodeStream, whose answer is the contract.
	buf := getBuffer()
	defer putBuffer(buf)
	_, readErr := buf.ReadFrom(body)
	if readErr == nil {
		if fastUnmarshal(buf.Bytes(), target) == nil {
			stripConfigValues(target)
			return nil
		}
		zero(target) // forget what the refused attempt decoded
		if json.Unmarshal(buf.Bytes(), target) == nil {
			stripConfigValues(target)
			return nil
		}
	}
	zero(target) // forget what the failed attempt decoded
	var replay io.Reader = bytes.NewReader(buf.Bytes())
	if readErr != nil {
		replay = io.MultiReader(replay, errReader{readErr})
	}
	return decodeStream(target, replay)
}

// decodeStream decodes exactly one JSON value from body into target and strips the
// ConfigValues, or says in our words why it cannot. A body of white space only is io.EOF,
// like an empty one.
func decodeStream(target any, body io.Reader) error {
	dec := json.NewDecoder(body)
	if err := dec.Decode(target); err != nil {
		if errors.Is(err, io.EOF) {
			return io.EOF // white space only: no body, as an empty one
		}
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if tooLarge(err) {
			return err
		}
		return &malformedError{"the request body holds more than one JSON value"}
	}
	stripConfigValues(target)
	return nil
}

// fastUnmarshal decodes data, which must hold exactly one JSON value, into target with
// the v2 engine of github.com/go-json-experiment/json configured for every behaviour of
// encoding/json v1 (its v1 package): case-insensitive member names, the last of
// duplicate members winning, invalid UTF-8 replaced by U+FFFD, null leaving a
// non-pointer as it was, unknown members ignored, and the same methods (UnmarshalJSON)
// called. It is a faster encoding/json.Unmarshal for the success path only: what it
// decodes is what encoding/json decodes (FuzzFastUnmarshal holds it to that), and when
// it returns an error, target may hold part of the value and the caller asks
// encoding/json again, whose error is the one answered.
func fastUnmarshal(data []byte, target any) error {
	return jsonv1.Unmarshal(data, target)
}

// zero sets the value target points to to its zero value; anything but a non-nil
// pointer is left alone.
func zero(target any) {
	if v := reflect.ValueOf(target); v.Kind() == reflect.Pointer && !v.IsNil() {
		v.Elem().SetZero()
	}
}

// errReader returns err, as the body did after the bytes read before it.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// maxPooledBuffer bounds the buffers kept for reuse, so one huge request does not pin its
// memory for the life of the process.
const maxPooledBuffer = 1 << 20

var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuffer() *bytes.Buffer {
	b := buffers.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

func putBuffer(b *bytes.Buffer) {
	if b.Cap() <= maxPooledBuffer {
		buffers.Put(b)
	}
}

// isJSON accepts application/json and application/*+json, with parameters such as charset.
func isJSON(contentType string) bool {
	if contentType == "application/json" {
		return true // what mime.ParseMediaType would say, without its map of parameters
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))
}

func decodeError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case tooLarge(err):
		return err
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return &malformedError{fmt.Sprintf("the request body must be a JSON %s", jsonKind(typeErr.Type))}
		}
		return &malformedError{fmt.Sprintf("member %s must be a JSON %s", typeErr.Field, jsonKind(typeErr.Type))}
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return &malformedError{"the request body is not valid JSON"}
	default:
		// Errors from our own UnmarshalJSON methods (dates) name the expected form.
		return &malformedError{"the request body could not be read: " + err.Error()}
	}
}

// jsonKind names the JSON kind a Go type is decoded from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.String:
		return "string"
	case reflect.Slice, reflect.Array:
		return "array"
	default:
		return "object"
	}
}

func tooLarge(err error) bool {
	var he *echo.HTTPError
	return errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge
}

// stripConfigValues removes ApplicationId, QuoteConnectorUrl and SharedSecret from the
// ConfigValues member every request envelope has.
func stripConfigValues(target any) {
	v := reflect.ValueOf(target)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return
	}
	f := v.Elem().FieldByName("ConfigValues")
	if !f.IsValid() || f.Type() != reflect.TypeFor[map[string]string]() || f.IsNil() {
		return
	}
	f.Set(reflect.ValueOf(connector.StripSuperOfficeKeys(f.Interface().(map[string]string))))
}

// peekBody lets the binder tell an empty body from a non-empty one, whatever the framing
// (Content-Length or chunked), without losing the first byte.
type peekBody struct {
	r    io.Reader
	head []byte
}

func bufferedBody(r *http.Request) *peekBody { return &peekBody{r: r.Body} }

// Peek reads the first byte, returning io.EOF when the body is empty.
func (p *peekBody) Peek() (byte, error) {
	var b [1]byte
	n, err := io.ReadFull(p.r, b[:])
	if n == 1 {
		p.head = b[:1]
		return b[0], nil
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = io.EOF
	}
	return 0, err
}

func (p *peekBody) Read(buf []byte) (int, error) {
	if len(p.head) > 0 {
		n := copy(buf, p.head)
		p.head = p.head[n:]
		return n, nil
	}
	return p.r.Read(buf)
}
