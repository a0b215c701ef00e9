package event

import "github.com/mailru/easyjson"

// Marshal encodes an event as contract v1 JSON.
func Marshal(e *Event) ([]byte, error) { return easyjson.Marshal(e) }
