package sim

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	json "github.com/goccy/go-json"
)

// Spec is a scenario request: which incident, when, for how long and with
// what parameters. Text form: name[@start][/duration][:key=value,...] where
// start is +offset from the run start (e.g. +30m) or an RFC 3339 time.
type Spec struct {
	Name     string
	Offset   time.Duration // from the run's start, when At is zero
	At       time.Time
	HasStart bool
	Duration time.Duration // 0: the scenario's default
	Params   Params
	keys     []string // parameter keys given, to check against the scenario's
}

// Params are a scenario's parameters. Each scenario accepts a subset of the
// keys; the resolved values (culprits picked by the seed included) are
// written to the truth file. ErrorClass and MessagePrefix are outputs: the
// signature the incident's messages carry.
type Params struct {
	Tenant      string   `json:"tenant,omitempty"`
	Cell        string   `json:"cell,omitempty"`
	Host        string   `json:"host,omitempty"`
	Integration string   `json:"integration,omitempty"`
	JobType     string   `json:"job_type,omitempty"`
	Version     string   `json:"version,omitempty"`
	Endpoint    string   `json:"endpoint,omitempty"`
	Mode        string   `json:"mode,omitempty"`
	Factor      float64  `json:"factor,omitempty"`
	Multiplier  float64  `json:"multiplier,omitempty"`
	ErrorRate   float64  `json:"error_rate,omitempty"`
	Probability float64  `json:"probability,omitempty"`
	Ratio       float64  `json:"ratio,omitempty"`
	Backoff     Duration `json:"backoff,omitempty"`
	RetryLimit  int      `json:"retry_limit,omitempty"`
	Template    string   `json:"template,omitempty"`

	ErrorClass    string `json:"error_class,omitempty"`
	MessagePrefix string `json:"message_prefix,omitempty"`
}

// Duration marshals as a Go duration string.
type Duration time.Duration

func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	*d = Duration(v)
	return err
}

// paramSetters parse each key into its typed field.
var paramSetters = map[string]func(p *Params, v string) error{
	"tenant":      func(p *Params, v string) error { p.Tenant = v; return nil },
	"cell":        func(p *Params, v string) error { p.Cell = v; return nil },
	"host":        func(p *Params, v string) error { p.Host = v; return nil },
	"integration": func(p *Params, v string) error { p.Integration = v; return nil },
	"job_type":    func(p *Params, v string) error { p.JobType = v; return nil },
	"version":     func(p *Params, v string) error { p.Version = v; return nil },
	"endpoint":    func(p *Params, v string) error { p.Endpoint = v; return nil },
	"mode":        func(p *Params, v string) error { p.Mode = v; return nil },
	"template":    func(p *Params, v string) error { p.Template = v; return nil },
	"factor":      floatSetter(func(p *Params) *float64 { return &p.Factor }),
	"multiplier":  floatSetter(func(p *Params) *float64 { return &p.Multiplier }),
	"error_rate":  floatSetter(func(p *Params) *float64 { return &p.ErrorRate }),
	"probability": floatSetter(func(p *Params) *float64 { return &p.Probability }),
	"ratio":       floatSetter(func(p *Params) *float64 { return &p.Ratio }),
	"backoff": func(p *Params, v string) error {
		d, err := time.ParseDuration(v)
		p.Backoff = Duration(d)
		return err
	},
	"retry_limit": func(p *Params, v string) error {
		n, err := strconv.Atoi(v)
		p.RetryLimit = n
		return err
	},
}

func floatSetter(field func(*Params) *float64) func(*Params, string) error {
	return func(p *Params, v string) error {
		f, err := strconv.ParseFloat(v, 64)
		*field(p) = f
		return err
	}
}

// ParseSpec parses the text form of a scenario request.
func ParseSpec(s string) (Spec, error) {
	var sp Spec
	name, rest := s, ""
	if i := strings.IndexAny(s, "@/:"); i >= 0 {
		name, rest = s[:i], s[i:]
	}
	sp.Name = name
	if _, ok := scenarioDefs[name]; !ok {
		return sp, fmt.Errorf("scenario %q: unknown (known: %s)", name, strings.Join(ScenarioNames(), ", "))
	}
	var err error
	if strings.HasPrefix(rest, "@") {
		if rest, err = sp.parseStart(rest[1:]); err != nil {
			return sp, fmt.Errorf("scenario %q: %w", s, err)
		}
	}
	if strings.HasPrefix(rest, "/") {
		end := strings.IndexByte(rest, ':')
		if end < 0 {
			end = len(rest)
		}
		if sp.Duration, err = time.ParseDuration(rest[1:end]); err != nil || sp.Duration <= 0 {
			return sp, fmt.Errorf("scenario %q: bad duration %q", s, rest[1:end])
		}
		rest = rest[end:]
	}
	if strings.HasPrefix(rest, ":") {
		if err := sp.parseParams(rest[1:]); err != nil {
			return sp, fmt.Errorf("scenario %q: %w", s, err)
		}
		rest = ""
	}
	if rest != "" {
		return sp, fmt.Errorf("scenario %q: unexpected %q", s, rest)
	}
	return sp, sp.checkKeys()
}

func (sp *Spec) parseStart(rest string) (string, error) {
	sp.HasStart = true
	if strings.HasPrefix(rest, "+") {
		end := strings.IndexAny(rest, "/:")
		if end < 0 {
			end = len(rest)
		}
		d, err := time.ParseDuration(rest[1:end])
		if err != nil || d < 0 {
			return rest, fmt.Errorf("bad start offset %q", rest[:end])
		}
		sp.Offset = d
		return rest[end:], nil
	}
	end := strings.IndexByte(rest, '/') // RFC 3339 contains ':' but never '/'
	if end < 0 {
		end = len(rest)
	}
	t, err := time.Parse(time.RFC3339, rest[:end])
	if err != nil {
		return rest, fmt.Errorf("bad start %q: want +offset or RFC 3339", rest[:end])
	}
	sp.At = t
	return rest[end:], nil
}

func (sp *Spec) parseParams(s string) error {
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" || v == "" {
			return fmt.Errorf("parameter %q: want key=value", kv)
		}
		set, known := paramSetters[k]
		if !known {
			return fmt.Errorf("unknown parameter %q", k)
		}
		if err := set(&sp.Params, v); err != nil {
			return fmt.Errorf("parameter %s=%q: %w", k, v, err)
		}
		sp.keys = append(sp.keys, k)
	}
	return nil
}

func (sp *Spec) checkKeys() error {
	def := scenarioDefs[sp.Name]
	for _, k := range sp.keys {
		ok := false
		for _, a := range def.keys {
			ok = ok || a == k
		}
		if !ok {
			return fmt.Errorf("scenario %s does not take %q (takes: %s)", sp.Name, k, strings.Join(def.keys, ", "))
		}
	}
	return nil
}

// String renders the spec in its text form.
func (sp Spec) String() string {
	var b strings.Builder
	b.WriteString(sp.Name)
	if sp.HasStart {
		if !sp.At.IsZero() {
			b.WriteString("@" + sp.At.Format(time.RFC3339))
		} else {
			b.WriteString("@+" + sp.Offset.String())
		}
	}
	if sp.Duration > 0 {
		b.WriteString("/" + sp.Duration.String())
	}
	return b.String()
}
