package soap

import (
	"bytes"
	"encoding/binary"
	"unicode/utf8"
)

// maxDepth is the deepest element nesting Read accepts (a full quote context needs 8).
const maxDepth = 64

// xmlError is a well-formedness error; its message names what is wrong, never the input.
type xmlError struct{ msg string }

func (e *xmlError) Error() string { return "malformed XML: " + e.msg }

func malformedXML(msg string) error { return &xmlError{msg} }

// nsBinding is one namespace declaration in scope.
type nsBinding struct{ prefix, uri string }

// span is a range of the input, b[start:end]. The reader keeps positions instead of
// slices, so that its state holds no pointers to update (no write barriers while the
// garbage collector runs).
type span struct{ start, end int }

// frame is an open element.
type frame struct {
	raw       span // the qualified name as written, to match the end tag
	nsLen     int  // namespace bindings in scope before this element's own
	selfClose bool
}

// attrRef is a prefixed attribute of the start tag being read: its prefix, resolved once
// the whole tag (and so every namespace it declares) has been read.
type attrRef struct {
	prefix  span
	isNil   bool // the attribute is nil, with the value true or 1
	nilAttr bool // the attribute is named nil (its namespace decides whether it counts)
}

// xmlReader is a pull parser for the XML SOAP uses: elements, attributes, text, CDATA,
// comments, processing instructions, the five predefined entities and character
// references. It rejects DTDs, malformed markup and characters XML 1.0 does not allow. It
// resolves namespaces; the names it returns alias the input.
type xmlReader struct {
	b        []byte
	p        int
	ns       []nsBinding
	stack    []frame
	local    span   // the local name of the current start element
	space    string // and its namespace
	isNil    bool
	scratch  []byte
	attrs    []span    // raw attribute names of the current start tag
	prefixed []attrRef // and its prefixed attributes
}

func (r *xmlReader) reset(b []byte) {
	r.b, r.p = b, 0
	r.ns, r.stack = r.ns[:0], r.stack[:0]
	r.local, r.space, r.isNil = span{}, "", false
}

// localName is the local name of the current start element; it aliases the input.
func (r *xmlReader) localName() []byte { return r.at(r.local) }

// at is the part of the input s covers.
func (r *xmlReader) at(s span) []byte { return r.b[s.start:s.end] }

// checkChars reports whether b is UTF-8 made of characters XML 1.0 allows.
func checkChars(b []byte) error {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for i := 0; i < len(b); {
		if i+8 <= len(b) {
			// Eight printable ASCII bytes at a time: no high bit, none below 0x20.
			w := binary.LittleEndian.Uint64(b[i:])
			if (w|((w-0x20*ones)&^w))&highs == 0 {
				i += 8
				continue
			}
		}
		c := b[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return malformedXML("control character")
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return malformedXML("invalid UTF-8")
		}
		if r == 0xFFFE || r == 0xFFFF {
			return malformedXML("non-character")
		}
		i += n
	}
	return nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (r *xmlReader) skipSpace() {
	b, p := r.b, r.p
	for p < len(b) && isSpace(b[p]) {
		p++
	}
	r.p = p
}

func (r *xmlReader) has(s string) bool {
	return len(r.b)-r.p >= len(s) && string(r.b[r.p:r.p+len(s)]) == s
}

// prolog skips a BOM, the XML declaration and whatever may precede the root element.
func (r *xmlReader) prolog() error {
	if err := checkChars(r.b); err != nil {
		return err
	}
	if bytes.HasPrefix(r.b, []byte("\xEF\xBB\xBF")) {
		r.p = 3
	}
	if r.has("<?xml") && r.p+5 < len(r.b) && isSpace(r.b[r.p+5]) {
		end := bytes.Index(r.b[r.p:], []byte("?>"))
		if end < 0 {
			return malformedXML("unterminated XML declaration")
		}
		decl := r.b[r.p : r.p+end]
		if i := bytes.Index(decl, []byte("encoding")); i >= 0 {
			enc := bytes.ToLower(bytes.Trim(bytes.TrimLeft(decl[i+len("encoding"):], " \t\r\n="), " \t\r\n\"'"))
			if !bytes.Equal(enc, []byte("utf-8")) && !bytes.Equal(enc, []byte("us-ascii")) {
				return malformedXML("only UTF-8 is supported")
			}
		}
		r.p += end + 2
	}
	return r.misc()
}

// misc skips white space, comments and processing instructions outside the root.
func (r *xmlReader) misc() error {
	for {
		r.skipSpace()
		switch {
		case r.p >= len(r.b):
			return nil
		case r.has("<!--"):
			if err := r.comment(); err != nil {
				return err
			}
		case r.has("<?"):
			if err := r.pi(); err != nil {
				return err
			}
		case r.has("<!"):
			return malformedXML("DTD or declaration not allowed")
		default:
			return nil
		}
	}
}

// epilog checks that nothing but misc follows the root element.
func (r *xmlReader) epilog() error {
	if err := r.misc(); err != nil {
		return err
	}
	if r.p < len(r.b) {
		return malformedXML("content after the root element")
	}
	return nil
}

func (r *xmlReader) comment() error {
	r.p += 4
	end := bytes.Index(r.b[r.p:], []byte("--"))
	if end < 0 {
		return malformedXML("unterminated comment")
	}
	r.p += end
	if !r.has("-->") {
		return malformedXML("\"--\" inside a comment")
	}
	r.p += 3
	return nil
}

func (r *xmlReader) pi() error {
	r.p += 2
	start := r.p
	if _, _, _, err := r.name(); err != nil {
		return err
	}
	name := r.b[start:r.p]
	if len(name) == 3 && (name[0]|0x20) == 'x' && (name[1]|0x20) == 'm' && (name[2]|0x20) == 'l' {
		return malformedXML("misplaced XML declaration")
	}
	end := bytes.Index(r.b[r.p:], []byte("?>"))
	if end < 0 {
		return malformedXML("unterminated processing instruction")
	}
	r.p += end + 2
	return nil
}

// nameClass holds 1 for bytes that may start a name, 2 for bytes that may continue one.
var nameClass = func() (t [256]uint8) {
	for c := range 256 {
		b := byte(c)
		if b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '_' || b == ':' || b >= 0x80 {
			t[c] = 3
		} else if b >= '0' && b <= '9' || b == '-' || b == '.' {
			t[c] = 2
		}
	}
	return t
}()

func isNameStart(c byte) bool { return nameClass[c]&1 != 0 }

func isNameChar(c byte) bool { return nameClass[c] != 0 }

// name reads an XML name, and splits it as a qualified name: the prefix (empty when
// there is none) and the local name. ok is false for a name that is not a QName.
func (r *xmlReader) name() (prefix, local span, ok bool, err error) {
	b, start := r.b, r.p
	if start >= len(b) || !isNameStart(b[start]) {
		return span{}, span{}, false, malformedXML("bad name")
	}
	colon, colons := -1, 0
	p := start
	for ; p < len(b) && isNameChar(b[p]); p++ {
		if b[p] == ':' {
			if colons == 0 {
				colon = p
			}
			colons++
		}
	}
	r.p = p
	switch {
	case colons == 0:
		return span{start, start}, span{start, p}, true, nil
	case colons == 1 && colon > start && colon+1 < p && isNameStart(b[colon+1]):
		return span{start, colon}, span{colon + 1, p}, true, nil
	}
	return span{}, span{}, false, nil
}

// intern returns the namespace URI b as a string, without allocating for the usual ones.
func intern(b []byte) string {
	switch string(b) {
	case NS:
		return NS
	case NS2:
		return NS2
	case ArraysNS:
		return ArraysNS
	case EnvelopeNS:
		return EnvelopeNS
	case xsiNS:
		return xsiNS
	case "":
		return ""
	}
	return string(b)
}

func internPrefix(b []byte) string {
	switch string(b) {
	case "":
		return ""
	case "s":
		return "s"
	case "h":
		return "h"
	case "i":
		return "i"
	case "a":
		return "a"
	}
	return string(b)
}

// lookup resolves a prefix in the current scope.
func (r *xmlReader) lookup(prefix []byte) (string, bool) {
	if string(prefix) == "xml" {
		return xmlNS, true
	}
	for i := len(r.ns) - 1; i >= 0; i-- {
		if r.ns[i].prefix == string(prefix) {
			return r.ns[i].uri, true
		}
	}
	if len(prefix) == 0 {
		return "", true
	}
	return "", false
}

// attrValue reads a quoted attribute value, decoding references when there are any.
func (r *xmlReader) attrValue() ([]byte, error) {
	if r.p >= len(r.b) || (r.b[r.p] != '"' && r.b[r.p] != '\'') {
		return nil, malformedXML("unquoted attribute value")
	}
	q := r.b[r.p]
	r.p++
	start := r.p
	end := bytes.IndexByte(r.b[r.p:], q)
	if end < 0 {
		return nil, malformedXML("unterminated attribute value")
	}
	v := r.b[start : start+end]
	r.p = start + end + 1
	if bytes.IndexByte(v, '<') >= 0 {
		return nil, malformedXML("\"<\" in an attribute value")
	}
	if bytes.IndexByte(v, '&') < 0 {
		return v, nil
	}
	out := make([]byte, 0, len(v))
	for i := 0; i < len(v); {
		if v[i] != '&' {
			out = append(out, v[i])
			i++
			continue
		}
		var err error
		var n int
		out, n, err = appendEntity(out, v[i:])
		if err != nil {
			return nil, err
		}
		i += n
	}
	return out, nil
}

// appendEntity decodes the reference at the start of b (which starts with '&').
func appendEntity(out, b []byte) ([]byte, int, error) {
	end := bytes.IndexByte(b, ';')
	if end < 2 || end > 12 {
		return out, 0, malformedXML("bad reference")
	}
	name := b[1:end]
	switch string(name) {
	case "lt":
		return append(out, '<'), end + 1, nil
	case "gt":
		return append(out, '>'), end + 1, nil
	case "amp":
		return append(out, '&'), end + 1, nil
	case "quot":
		return append(out, '"'), end + 1, nil
	case "apos":
		return append(out, '\''), end + 1, nil
	}
	if name[0] != '#' || len(name) < 2 {
		return out, 0, malformedXML("undefined entity")
	}
	var v rune
	digits := name[1:]
	base := rune(10)
	if digits[0] == 'x' {
		base, digits = 16, digits[1:]
		if len(digits) == 0 {
			return out, 0, malformedXML("bad character reference")
		}
	}
	for _, c := range digits {
		var d rune
		switch {
		case c >= '0' && c <= '9':
			d = rune(c - '0')
		case base == 16 && c >= 'a' && c <= 'f':
			d = rune(c-'a') + 10
		case base == 16 && c >= 'A' && c <= 'F':
			d = rune(c-'A') + 10
		default:
			return out, 0, malformedXML("bad character reference")
		}
		v = v*base + d
		if v > 0x10FFFF {
			return out, 0, malformedXML("bad character reference")
		}
	}
	if !(v == 0x9 || v == 0xA || v == 0xD || v >= 0x20 && v <= 0xD7FF || v >= 0xE000 && v <= 0xFFFD || v >= 0x10000 && v <= 0x10FFFF) {
		return out, 0, malformedXML("character reference to a character XML does not allow")
	}
	return utf8.AppendRune(out, v), end + 1, nil
}

// startTag parses the start tag at r.p (at '<') and pushes it.
func (r *xmlReader) startTag() error {
	r.p++
	rawStart := r.p
	prefix, local, ok, err := r.name()
	if err != nil {
		return err
	}
	if !ok {
		return malformedXML("bad qualified name")
	}
	if len(r.stack) >= maxDepth {
		return malformedXML("elements nested too deeply")
	}
	fr := frame{raw: span{rawStart, r.p}, nsLen: len(r.ns)}
	r.attrs = r.attrs[:0]
	r.prefixed = r.prefixed[:0]
	for {
		sp := r.p
		r.skipSpace()
		if r.p >= len(r.b) {
			return malformedXML("unexpected end of input")
		}
		c := r.b[r.p]
		if c == '>' {
			r.p++
			break
		}
		if c == '/' {
			if !r.has("/>") {
				return malformedXML("bad start tag")
			}
			r.p += 2
			fr.selfClose = true
			break
		}
		if sp == r.p {
			return malformedXML("no space before an attribute")
		}
		anStart := r.p
		ap, al, ok, err := r.name()
		if err != nil {
			return err
		}
		an := span{anStart, r.p}
		for _, a := range r.attrs {
			if bytes.Equal(r.at(a), r.at(an)) {
				return malformedXML("duplicate attribute")
			}
		}
		r.attrs = append(r.attrs, an)
		r.skipSpace()
		if r.p >= len(r.b) || r.b[r.p] != '=' {
			return malformedXML("attribute without value")
		}
		r.p++
		r.skipSpace()
		val, err := r.attrValue()
		if err != nil {
			return err
		}
		if !ok {
			return malformedXML("bad qualified name")
		}
		switch {
		case ap.start == ap.end && string(r.at(al)) == "xmlns":
			r.ns = append(r.ns, nsBinding{"", intern(val)})
		case string(r.at(ap)) == "xmlns":
			if len(val) == 0 {
				return malformedXML("empty namespace for a prefix")
			}
			r.ns = append(r.ns, nsBinding{internPrefix(r.at(al)), intern(val)})
		case ap.start < ap.end:
			// Resolved below, once every declaration of the tag is read: to check the
			// prefix, and for xsi:nil.
			a := attrRef{prefix: ap, nilAttr: string(r.at(al)) == "nil"}
			if a.nilAttr {
				v := bytes.TrimSpace(val)
				a.isNil = string(v) == "true" || string(v) == "1"
			}
			r.prefixed = append(r.prefixed, a)
		}
	}
	space, ok := r.lookup(r.at(prefix))
	if !ok || string(r.at(prefix)) == "xmlns" {
		return malformedXML("undeclared namespace prefix")
	}
	r.isNil = false
	for _, a := range r.prefixed {
		ns, ok := r.lookup(r.at(a.prefix))
		if !ok {
			return malformedXML("undeclared namespace prefix")
		}
		if a.nilAttr && ns == xsiNS {
			r.isNil = a.isNil
		}
	}
	r.local = local
	if r.space != space {
		r.space = space
	}
	r.stack = append(r.stack, fr)
	return nil
}

// endTag parses the end tag at r.p (at "</") and pops the element it closes.
func (r *xmlReader) endTag() error {
	r.p += 2
	// The usual case, the open element's name as written and then anything but a name
	// character, needs no scan of the name.
	top := len(r.stack) - 1
	matches := false
	if top >= 0 {
		raw := r.at(r.stack[top].raw)
		if end := r.p + len(raw); bytes.HasPrefix(r.b[r.p:], raw) && (end == len(r.b) || !isNameChar(r.b[end])) {
			r.p, matches = end, true
		}
	}
	if !matches {
		if _, _, _, err := r.name(); err != nil {
			return err
		}
	}
	r.skipSpace()
	if r.p >= len(r.b) || r.b[r.p] != '>' {
		return malformedXML("bad end tag")
	}
	r.p++
	if !matches {
		return malformedXML("end tag does not match")
	}
	r.pop()
	return nil
}

func (r *xmlReader) pop() {
	top := len(r.stack) - 1
	r.ns = r.ns[:r.stack[top].nsLen]
	r.stack = r.stack[:top]
}

// child moves to the next child element of the open element: it returns true with the
// child started, or false once the open element has been closed.
func (r *xmlReader) child() (bool, error) {
	top := len(r.stack) - 1
	if top >= 0 && r.stack[top].selfClose {
		r.pop()
		return false, nil
	}
	for {
		i := bytes.IndexByte(r.b[r.p:], '<')
		if i < 0 {
			return false, malformedXML("unexpected end of input")
		}
		if i > 0 {
			if err := checkText(r.b[r.p : r.p+i]); err != nil {
				return false, err
			}
		}
		r.p += i
		if r.p+1 < len(r.b) && nameClass[r.b[r.p+1]]&1 != 0 {
			return true, r.startTag()
		}
		switch {
		case r.has("</"):
			return false, r.endTag()
		case r.has("<!--"):
			if err := r.comment(); err != nil {
				return false, err
			}
		case r.has("<![CDATA["):
			end := bytes.Index(r.b[r.p:], []byte("]]>"))
			if end < 0 {
				return false, malformedXML("unterminated CDATA section")
			}
			r.p += end + 3
		case r.has("<?"):
			if err := r.pi(); err != nil {
				return false, err
			}
		case r.has("<!"):
			return false, malformedXML("DTD or declaration not allowed")
		default:
			return true, r.startTag()
		}
	}
}

// checkText checks the references in character data that is skipped.
func checkText(t []byte) error {
	for {
		i := bytes.IndexByte(t, '&')
		if i < 0 {
			break
		}
		_, n, err := appendEntity(nil, t[i:])
		if err != nil {
			return err
		}
		t = t[i+n:]
	}
	if bytes.Contains(t, []byte("]]>")) {
		return malformedXML("\"]]>\" in text")
	}
	return nil
}

// skip skips the rest of the open element.
func (r *xmlReader) skip() error {
	for {
		ok, err := r.child()
		if err != nil || !ok {
			return err
		}
		if err := r.skip(); err != nil {
			return err
		}
	}
}

// text reads the character content of the open element and closes it. The result aliases
// the input or a scratch buffer and is valid until the next call.
func (r *xmlReader) text() ([]byte, error) {
	top := len(r.stack) - 1
	if r.stack[top].selfClose {
		r.pop()
		return nil, nil
	}
	start := r.p
	// Fast path: plain text up to the end tag, in one pass (values are short).
	b, p := r.b, r.p
	for p < len(b) && !textStop[b[p]] {
		p++
	}
	if p+1 < len(b) && b[p] == '<' && b[p+1] == '/' {
		r.p = p
		return b[start:p], r.endTag()
	}
	simple := true
	r.scratch = r.scratch[:0]
	for r.p < len(r.b) {
		c := r.b[r.p]
		switch c {
		case '<':
			if r.has("</") {
				var out []byte
				if simple {
					out = r.b[start:r.p]
				} else {
					out = r.scratch
				}
				return out, r.endTag()
			}
			if simple {
				r.scratch = append(r.scratch, r.b[start:r.p]...)
				simple = false
			}
			switch {
			case r.has("<!--"):
				if err := r.comment(); err != nil {
					return nil, err
				}
			case r.has("<![CDATA["):
				r.p += 9
				end := bytes.Index(r.b[r.p:], []byte("]]>"))
				if end < 0 {
					return nil, malformedXML("unterminated CDATA section")
				}
				r.scratch = appendNormalized(r.scratch, r.b[r.p:r.p+end])
				r.p += end + 3
			case r.has("<?"):
				if err := r.pi(); err != nil {
					return nil, err
				}
			case r.has("<!"):
				return nil, malformedXML("DTD or declaration not allowed")
			default:
				return nil, errElementInValue
			}
		case '&':
			if simple {
				r.scratch = append(r.scratch, r.b[start:r.p]...)
				simple = false
			}
			var n int
			var err error
			r.scratch, n, err = appendEntity(r.scratch, r.b[r.p:])
			if err != nil {
				return nil, err
			}
			r.p += n
		case '\r':
			if simple {
				r.scratch = append(r.scratch, r.b[start:r.p]...)
				simple = false
			}
			r.scratch = append(r.scratch, '\n')
			r.p++
			if r.p < len(r.b) && r.b[r.p] == '\n' {
				r.p++
			}
		case ']':
			if r.has("]]>") {
				return nil, malformedXML("\"]]>\" in text")
			}
			fallthrough
		default:
			if !simple {
				r.scratch = append(r.scratch, c)
			}
			r.p++
		}
	}
	return nil, malformedXML("unexpected end of input")
}

// textStop holds the bytes that end the fast path of text: markup, a reference, a carriage
// return to normalise, and the "]" that may start a forbidden "]]>".
var textStop = [256]bool{'<': true, '&': true, '\r': true, ']': true}

// errElementInValue is returned by text when a value holds an element.
var errElementInValue = &xmlError{"element inside a value"}

// appendNormalized appends b with line ends normalised to "\n".
func appendNormalized(out, b []byte) []byte {
	for i := 0; i < len(b); i++ {
		if b[i] == '\r' {
			out = append(out, '\n')
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
			continue
		}
		out = append(out, b[i])
	}
	return out
}
