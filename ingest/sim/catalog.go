package sim

import "math"

// The catalog is the fleet's static shape: what services, integrations, job
// types and routes exist. Per-tenant and per-cell choices are drawn from it
// by the fleet builder with the run's seed.

// Services that emit events. Requests come from api; jobs from the service
// of their job type; background errors from any of them.
const (
	svcAPI       = "api"
	svcWorker    = "worker"
	svcScheduler = "scheduler"
	svcWebhooks  = "webhooks"
	svcSync      = "sync"
	svcMailer    = "mailer"
	svcBilling   = "billing"
	svcImporter  = "importer"
	svcMetering  = "metering"
)

// backgroundServices emit kind=error events outside any job or request,
// with these relative weights.
var backgroundServices = []struct {
	name   string
	weight float64
	api    bool // runs on api hosts rather than worker hosts
}{
	{svcAPI, 30, true}, {svcWorker, 20, false}, {svcScheduler, 6, false}, {svcWebhooks, 10, false},
	{svcSync, 12, false}, {svcMailer, 8, false}, {svcBilling, 7, false}, {svcImporter, 4, false},
}

// integration is a third party that jobs call. adoption is the share of
// tenants that have it configured.
type integration struct {
	name     string
	adoption float64
	errRate  float64 // baseline share of its calls that fail transiently
}

var integrations = []integration{
	{"sendgrid", 0.70, 0.004}, {"twilio", 0.20, 0.006}, {"stripe", 0.50, 0.005},
	{"salesforce", 0.22, 0.012}, {"hubspot", 0.25, 0.010}, {"google", 0.30, 0.006},
	{"slack", 0.40, 0.004}, {"s3", 0.90, 0.002}, {"openai", 0.25, 0.015}, {"quickbooks", 0.15, 0.010},
}

func integrationIndex(name string) int {
	for i, in := range integrations {
		if in.name == name {
			return i
		}
	}
	return -1
}

// jobType describes one kind of background job. Durations are log-normal
// (median, sigma); failRate is the baseline chance an attempt fails.
type jobType struct {
	name        string
	service     string
	queue       string
	integration string // "" for none
	medianMs    float64
	sigma       float64
	failRate    float64
	retryLimit  int     // attempts including the first
	weight      float64 // relative frequency in a tenant's mix
	cpuShare    float64 // cpu time as a share of wall duration
	dbShare     float64
	trigger     int // index into triggers
	bulkOnly    bool
}

var jobTypes = []jobType{
	{"email.send", svcMailer, "mail", "sendgrid", 180, 0.6, 0.003, 5, 22, 0.05, 0.10, trigAPI, false},
	{"sms.send", svcMailer, "mail", "twilio", 260, 0.6, 0.004, 5, 4, 0.05, 0.10, trigAPI, false},
	{"slack.notify", svcMailer, "notify", "slack", 220, 0.5, 0.003, 4, 6, 0.05, 0.05, trigWebhook, false},
	{"webhook.deliver", svcWebhooks, "webhooks", "", 320, 0.9, 0.015, 8, 18, 0.05, 0.05, trigWebhook, false},
	{"payment.charge", svcBilling, "billing", "stripe", 650, 0.5, 0.006, 3, 5, 0.10, 0.30, trigAPI, false},
	{"invoice.generate", svcBilling, "billing", "", 1200, 0.7, 0.002, 3, 4, 0.40, 0.45, trigSchedule, false},
	{"ledger.reconcile", svcBilling, "billing", "quickbooks", 2600, 0.6, 0.008, 4, 2, 0.20, 0.50, trigSchedule, false},
	{"report.export", svcWorker, "exports", "s3", 25000, 1.1, 0.008, 2, 2, 0.50, 0.40, trigAPI, false},
	{"crm.sync", svcSync, "sync", "salesforce", 4000, 1.0, 0.010, 5, 5, 0.20, 0.30, trigSchedule, false},
	{"contacts.sync", svcSync, "sync", "hubspot", 3000, 0.9, 0.008, 5, 5, 0.20, 0.30, trigSchedule, false},
	{"calendar.sync", svcSync, "sync", "google", 1500, 0.8, 0.006, 5, 3, 0.15, 0.20, trigSchedule, false},
	{"search.reindex", svcWorker, "default", "", 8000, 1.0, 0.003, 3, 3, 0.60, 0.30, trigSchedule, false},
	{"thumbnail.render", svcWorker, "media", "s3", 900, 0.8, 0.004, 3, 6, 0.70, 0.05, trigAPI, false},
	{"ai.summarize", svcWorker, "ml", "openai", 3500, 0.8, 0.010, 3, 3, 0.10, 0.05, trigAPI, false},
	{"cleanup.expired", svcScheduler, "maintenance", "", 400, 0.5, 0.001, 1, 4, 0.30, 0.60, trigSchedule, false},
	{"import.chunk", svcImporter, "imports", "", 4000, 0.5, 0.004, 3, 0.6, 0.55, 0.70, trigImport, true},
}

// meanMs is the mean of the job type's log-normal duration, the expected
// work one attempt puts on its cell.
func (j *jobType) meanMs() float64 { return j.medianMs * math.Exp(j.sigma*j.sigma/2) }

func jobTypeIndex(name string) int {
	for i := range jobTypes {
		if jobTypes[i].name == name {
			return i
		}
	}
	return -1
}

const (
	trigSchedule = iota
	trigAPI
	trigWebhook
	trigImport
)

// triggerAttrs are shared, read-only attribute maps: the hot path never
// builds a map per event.
var triggerAttrs = []map[string]string{
	{"trigger": "schedule"}, {"trigger": "api"}, {"trigger": "webhook"}, {"trigger": "import"},
}

// route is an API endpoint with its latency and client-error profile.
type route struct {
	name      string
	weight    float64
	medianMs  float64
	sigma     float64
	clientErr float64 // share of 4xx responses
	bytes     float64 // median response size
}

var routes = []route{
	{"GET /v1/contacts", 14, 45, 0.6, 0.010, 18000},
	{"GET /v1/contacts/:id", 18, 18, 0.5, 0.030, 2200},
	{"POST /v1/contacts", 5, 60, 0.5, 0.060, 1800},
	{"PATCH /v1/contacts/:id", 4, 55, 0.5, 0.050, 1800},
	{"DELETE /v1/contacts/:id", 1, 40, 0.5, 0.040, 120},
	{"GET /v1/jobs", 6, 35, 0.6, 0.010, 9000},
	{"GET /v1/jobs/:id", 10, 12, 0.5, 0.020, 900},
	{"POST /v1/jobs", 4, 40, 0.5, 0.040, 600},
	{"GET /v1/invoices", 3, 80, 0.7, 0.010, 24000},
	{"GET /v1/invoices/:id", 3, 25, 0.5, 0.030, 3100},
	{"POST /v1/payments", 2, 250, 0.5, 0.080, 1400},
	{"GET /v1/reports/:id", 1, 120, 0.8, 0.020, 64000},
	{"POST /v1/reports", 0.5, 90, 0.6, 0.030, 700},
	{"POST /v1/imports", 0.3, 150, 0.6, 0.050, 800},
	{"GET /v1/events", 5, 70, 0.7, 0.010, 30000},
	{"POST /v1/events", 8, 22, 0.5, 0.020, 300},
	{"GET /v1/search", 4, 140, 0.8, 0.020, 15000},
	{"POST /v1/webhooks", 0.4, 50, 0.5, 0.070, 500},
	{"GET /v1/webhooks", 0.8, 30, 0.5, 0.010, 2500},
	{"POST /v1/auth/token", 3, 95, 0.4, 0.090, 400},
	{"GET /v1/users/me", 6, 10, 0.4, 0.020, 700},
	{"GET /v1/settings", 1.5, 15, 0.4, 0.010, 1500},
	{"PUT /v1/settings", 0.3, 45, 0.5, 0.060, 1500},
	{"GET /v1/files/:id", 2, 65, 0.9, 0.030, 250000},
	{"POST /v1/files", 1, 300, 0.8, 0.050, 600},
	{"GET /healthz", 2, 2, 0.3, 0, 20},
}

// region is where a cell runs; its UTC offset drives the diurnal curve.
type region struct {
	name      string
	utcOffset float64 // hours
	share     float64
}

var regions = []region{
	{"us-east-1", -5, 0.50}, {"eu-west-1", 1, 0.35}, {"ap-southeast-2", 10, 0.15},
}

// jobIntegration is each job type's integration index, -1 for none.
var jobIntegration = func() []int {
	out := make([]int, len(jobTypes))
	for i := range jobTypes {
		out[i] = integrationIndex(jobTypes[i].integration)
	}
	return out
}()
