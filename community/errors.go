package community

import (
	"errors"
	"fmt"
)

// Code says what kind of failure a domain error is, so that chat and HTTP
// layers can answer it properly.
type Code string

// The error codes.
const (
	EInvalid   Code = "invalid"   // the input is wrong; the message says how
	ENotFound  Code = "not_found" // what was asked for does not exist
	EForbidden Code = "forbidden" // the caller may not do this
	EConflict  Code = "conflict"  // the state does not allow it (already done, taken)
)

// Error is a domain error: a code, a message key the chat layer translates,
// the values the translation needs, and an English message for logs.
type Error struct {
	Code Code
	Key  string         // message catalog key, such as "staff.already"
	Data map[string]any // values for the translated message
	Msg  string
}

// Error returns the English message.
func (e *Error) Error() string { return e.Msg }

// Errorf returns a domain error with a translation key and data.
func Errorf(code Code, key string, data map[string]any, format string, args ...any) *Error {
	return &Error{Code: code, Key: key, Data: data, Msg: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, or "" for an error that is not a
// domain error (a bug or an outage).
func ErrorCode(err error) Code {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return ""
}

// ErrConflict is what a store returns, wrapped, when the state it finds
// under its lock no longer allows a change the domain checked before
// (another replica got there first). Its code is EConflict, but it has no
// message key: the domain service that asked for the change says what it
// means to the member.
var ErrConflict = &Error{Code: EConflict, Msg: "changed meanwhile"}
