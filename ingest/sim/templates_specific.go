package sim

// integrationTemplates are the errors a third party's client raises. An
// outage of that integration raises its outageKeys at a high rate.
var integrationTemplates = map[string][]tmplDef{
	"sendgrid": {
		{"sendgrid.429", "SendGrid::RateLimited", `SendGrid API 429: too many requests, X-RateLimit-Reset {big}`},
		{"sendgrid.5xx", "SendGrid::ServerError", `SendGrid API returned 503 Service Unavailable (x-message-id {b62})`},
		{"sendgrid.timeout", "SendGrid::Timeout", `POST https://api.sendgrid.com/v3/mail/send timed out after {ms}ms`},
		{"sendgrid.bounce", "SendGrid::Bounce", `message {b62} bounced: 550 5.1.1 recipient mailbox unavailable`},
		{"sendgrid.template", "SendGrid::BadRequest", `dynamic template d-{hex} version {uuid} not found`},
		{"sendgrid.size", "SendGrid::BadRequest", `The attachment content must be base64 encoded and under 30MB (got {bytes})`},
	},
	"twilio": {
		{"twilio.21211", "Twilio::RestError", `Unable to create record: The 'To' number is not a valid phone number. (code 21211, request RQ{hex})`},
		{"twilio.21610", "Twilio::RestError", `Attempt to send to unsubscribed recipient (code 21610, message SM{hex})`},
		{"twilio.20429", "Twilio::RestError", `Too Many Requests (code 20429), retry after {n}s`},
		{"twilio.5xx", "Twilio::RestError", `HTTP 503 from api.twilio.com after {ms}ms (request RQ{hex})`},
		{"twilio.timeout", "Twilio::Timeout", `Net::ReadTimeout calling /2010-04-01/Accounts/AC{hex}/Messages.json after {sec}s`},
	},
	"stripe": {
		{"stripe.429", "Stripe::RateLimitError", `Too many requests made to the API too quickly (Request req_{b62})`},
		{"stripe.conn", "Stripe::APIConnectionError", `Unexpected error communicating with Stripe. Request was retried {n} times. (Network error: Net::OpenTimeout)`},
		{"stripe.500", "Stripe::APIError", `An unknown error occurred (Request req_{b62}, status 500)`},
		{"stripe.declined", "Stripe::CardError", `Your card was declined. (charge ch_{b62}, decline_code generic_decline)`},
		{"stripe.no_customer", "Stripe::InvalidRequestError", `No such customer: 'cus_{b62}'`},
		{"stripe.idempotency", "Stripe::IdempotencyError", `Keys for idempotent requests can only be used with the same parameters they were first used with. (key {uuid})`},
		{"stripe.lock", "Stripe::InvalidRequestError", `This object cannot be accessed right now because another API request or Stripe process is currently accessing it (lock_timeout, req_{b62})`},
		{"stripe.sig", "Stripe::SignatureVerificationError", `No signatures found matching the expected signature for payload (event evt_{b62})`},
	},
	"salesforce": {
		{"sf.unable_lock", "Restforce::ErrorCode::UnableToLockRow", `UNABLE_TO_LOCK_ROW: unable to obtain exclusive access to this record or {n} records: 001{b62}`},
		{"sf.limit", "Restforce::ErrorCode::RequestLimitExceeded", `REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded. ({big} of {big})`},
		{"sf.5xx", "Faraday::ServerError", `the server responded with status 503 for POST /services/data/v58.0/composite/sobjects ({ms}ms)`},
		{"sf.timeout", "Faraday::TimeoutError", `Net::ReadTimeout reading /services/data/v58.0/query after {sec}s`},
		{"sf.field", "Restforce::ErrorCode::InvalidField", `INVALID_FIELD: No such column '{col}__c' on entity 'Contact'`},
		{"sf.dup", "Restforce::ErrorCode::DuplicateValue", `DUPLICATE_VALUE: duplicate value found: External_Id__c duplicates value on record with id: 003{b62}`},
		{"sf.query_timeout", "Restforce::ErrorCode::QueryTimeout", `QUERY_TIMEOUT: Your query request was running for too long ({sec}s)`},
	},
	"hubspot": {
		{"hs.429", "Hubspot::RateLimit", `You have reached your ten_secondly_rolling limit. (correlationId {uuid})`},
		{"hs.5xx", "Hubspot::ServerError", `HubSpot API 502 Bad Gateway for /crm/v3/objects/contacts/batch/upsert after {ms}ms`},
		{"hs.conflict", "Hubspot::Conflict", `Contact already exists. Existing ID: {id}`},
		{"hs.property", "Hubspot::BadRequest", `Property values were not valid: "{col}" is not a valid property (correlationId {uuid})`},
		{"hs.timeout", "Hubspot::Timeout", `request to api.hubapi.com timed out after {ms}ms (batch of {int})`},
		{"hs.scope", "Hubspot::Forbidden", `This app hasn't been granted all required scopes to make this call. (correlationId {uuid})`},
	},
	"google": {
		{"google.403_rate", "Google::Apis::RateLimitError", `rateLimitExceeded: Rate Limit Exceeded for calendar {hex}@group.calendar.google.com`},
		{"google.backend", "Google::Apis::ServerError", `backendError: Backend Error (status 503) after {ms}ms`},
		{"google.sync_token", "Google::Apis::ClientError", `fullSyncRequired: Sync token is no longer valid, a full sync is required (status 410)`},
		{"google.not_found", "Google::Apis::ClientError", `notFound: Not Found event {b62}`},
		{"google.timeout", "Google::Apis::TransmissionError", `execution expired after {sec}s calling www.googleapis.com`},
	},
	"slack": {
		{"slack.ratelimited", "Slack::Web::Api::Errors::TooManyRequestsError", `ratelimited: retry after {n}s (method chat.postMessage)`},
		{"slack.channel", "Slack::Web::Api::Errors::ChannelNotFound", `channel_not_found for channel C{b62}`},
		{"slack.5xx", "Slack::Web::Api::Errors::ServerError", `slack returned 503 Service Unavailable in {ms}ms`},
		{"slack.timeout", "Slack::Web::Api::Errors::TimeoutError", `Faraday::TimeoutError posting to slack.com/api/chat.postMessage after {sec}s`},
		{"slack.token", "Slack::Web::Api::Errors::InvalidAuth", `invalid_auth: token for workspace T{b62} is no longer valid`},
	},
	"s3": {
		{"s3.slowdown", "Aws::S3::Errors::SlowDown", `Please reduce your request rate. (RequestId {hex}, HostId {b62})`},
		{"s3.500", "Aws::S3::Errors::InternalError", `We encountered an internal error. Please try again. (RequestId {hex})`},
		{"s3.nokey", "Aws::S3::Errors::NoSuchKey", `The specified key does not exist: {hex8}/{uuid}.{ext}`},
		{"s3.denied", "Aws::S3::Errors::AccessDenied", `Access Denied (RequestId {hex}) for PutObject on {hex8}/{uuid}`},
		{"s3.timeout", "Seahorse::Client::NetworkingError", `Net::ReadTimeout uploading part {n} of {int} ({bytes}) after {sec}s`},
		{"s3.entity", "Aws::S3::Errors::EntityTooLarge", `Your proposed upload exceeds the maximum allowed size ({bytes})`},
	},
	"openai": {
		{"openai.429", "OpenAI::RateLimitError", `Rate limit reached for requests: Limit {int}, Used {int}, Requested 1. Please try again in {ms}ms.`},
		{"openai.context", "OpenAI::BadRequestError", `This model's maximum context length is 128000 tokens. However, your messages resulted in {big} tokens.`},
		{"openai.5xx", "OpenAI::APIError", `The server had an error while processing your request (request id req_{hex}, status 500)`},
		{"openai.overloaded", "OpenAI::APIError", `The engine is currently overloaded, please try again later (status 503, {ms}ms)`},
		{"openai.timeout", "OpenAI::APITimeoutError", `Request timed out after {sec}s (attempt {n})`},
		{"openai.filter", "OpenAI::BadRequestError", `The response was filtered due to the prompt triggering content management policy (request id req_{hex})`},
	},
	"quickbooks": {
		{"qb.throttle", "Quickbooks::ThrottleExceeded", `ThrottleExceeded: message=ThrottleExceeded; errorCode=003001; statusCode=429 (intuit_tid {uuid})`},
		{"qb.stale", "Quickbooks::IntuitRequestException", `Stale Object Error : You and {n} other users were working on the same object at the same time (SyncToken {n})`},
		{"qb.5xx", "Quickbooks::ServiceUnavailable", `Service Unavailable (503) from quickbooks.api.intuit.com after {ms}ms`},
		{"qb.token", "Quickbooks::AuthorizationFailure", `AuthenticationFailed; errorCode=003200; statusCode=401 (realm {big})`},
		{"qb.dup_doc", "Quickbooks::IntuitRequestException", `Duplicate Document Number Error : You must specify a different number. This number has already been used. DocNumber={int}`},
	},
}

// outageKeys are the template keys an integration raises when it is down.
var outageKeys = map[string][]string{
	"sendgrid": {"sendgrid.5xx", "sendgrid.timeout"}, "twilio": {"twilio.5xx", "twilio.timeout"},
	"stripe": {"stripe.500", "stripe.conn"}, "salesforce": {"sf.5xx", "sf.timeout"},
	"hubspot": {"hs.5xx", "hs.timeout"}, "google": {"google.backend", "google.timeout"},
	"slack": {"slack.5xx", "slack.timeout"}, "s3": {"s3.500", "s3.timeout"},
	"openai": {"openai.overloaded", "openai.5xx"}, "quickbooks": {"qb.5xx", "qb.throttle"},
}

// configErrorKeys are what a tenant's broken configuration of an
// integration looks like: credentials revoked or scopes removed.
var configErrorKeys = map[string]string{
	"sendgrid": "sendgrid.auth", "twilio": "twilio.auth", "stripe": "stripe.auth",
	"salesforce": "sf.session", "hubspot": "hs.scope", "google": "google.grant",
	"slack": "slack.token", "s3": "s3.denied", "openai": "openai.key", "quickbooks": "qb.token",
}

// configTemplates complete configErrorKeys for integrations whose baseline
// list has no credential error.
var configTemplates = []tmplDef{
	{"sendgrid.auth", "SendGrid::Unauthorized", `The provided authorization grant is invalid, expired, or revoked (API key SG.{b62})`},
	{"twilio.auth", "Twilio::RestError", `Authenticate (code 20003): account AC{hex} credentials rejected`},
	{"stripe.auth", "Stripe::AuthenticationError", `Invalid API Key provided: rk_live_****{hex8}`},
	{"sf.session", "Restforce::UnauthorizedError", `INVALID_SESSION_ID: Session expired or invalid (org 00D{b62})`},
	{"google.grant", "Signet::AuthorizationError", `invalid_grant: Token has been expired or revoked. (client {id})`},
	{"openai.key", "OpenAI::AuthenticationError", `Incorrect API key provided: sk-****{hex8}. You can find your API key at the dashboard.`},
}

// jobTypeTemplates are failures specific to one job type's code.
var jobTypeTemplates = map[string][]tmplDef{
	"email.send": {
		{"email.render", "Liquid::UndefinedVariable", `Liquid error: undefined variable {col} in template {id} (line {line})`},
		{"email.suppressed", "SuppressedRecipient", `recipient suppressed by list {id}, skipping message {uuid}`},
	},
	"webhook.deliver": {
		{"wh.timeout", "WebhookTimeout", `webhook endpoint did not respond within {n}0s (delivery {uuid})`},
		{"wh.5xx", "WebhookHTTPError", `webhook endpoint returned 500 after {ms}ms (delivery {uuid}, attempt {n})`},
		{"wh.4xx", "WebhookHTTPError", `webhook endpoint returned 410 Gone (delivery {uuid}); disabling after {n} failures`},
		{"wh.tls", "WebhookTLSError", `x509: certificate signed by unknown authority for endpoint (delivery {uuid})`},
		{"wh.dns", "WebhookDNSError", `endpoint hostname did not resolve: NXDOMAIN ({ms}ms, delivery {uuid})`},
		{"wh.refused", "WebhookConnError", `dial tcp {pubip}:443: connect: connection refused (delivery {uuid})`},
	},
	"payment.charge": {
		{"pay.amount", "PaymentAmountError", `amount {int} below minimum charge for currency (invoice {id})`},
		{"pay.state", "InvalidStateTransition", `cannot charge invoice {id} in state paid (attempt {n})`},
	},
	"invoice.generate": {
		{"inv.tax", "TaxCalculationError", `tax calculation failed for {n} of {int} line items on invoice {id}`},
		{"inv.pdf", "RenderError", `invoice {id} PDF render exceeded {n}0s (pages {int})`},
	},
	"ledger.reconcile": {
		{"ledger.mismatch", "ReconciliationMismatch", `ledger out of balance by {int} cents across {int} entries (batch {uuid})`},
	},
	"report.export": {
		{"report.rows", "ExportTooLarge", `export {id} exceeds row limit: {big} rows > {big}`},
		{"report.tmp", "os.PathError", `write /tmp/exports/{id}.csv: no space left on device ({bytes} written)`},
		{"report.query", "QueryCanceled", `export query canceled after {sec}s (statement_timeout)`},
	},
	"crm.sync": {
		{"crm.cursor", "SyncCursorError", `sync cursor {hex} is older than the source's retention ({n}d), restarting full sync`},
		{"crm.mapping", "FieldMappingError", `field mapping {id} references deleted field {col}__c`},
	},
	"contacts.sync": {
		{"contacts.batch", "PartialBatchFailure", `{n} of {int} contacts failed in batch {uuid}`},
	},
	"calendar.sync": {
		{"cal.recurrence", "RecurrenceParseError", `cannot expand RRULE for event {b62}: COUNT and UNTIL both set`},
	},
	"search.reindex": {
		{"reindex.alias", "AliasSwapError", `alias swap for index {word}-{n} failed: {n} shards unassigned`},
		{"reindex.bulk", "BulkIndexError", `bulk request partially failed: {int} of {int} documents rejected`},
	},
	"thumbnail.render": {
		{"thumb.decode", "ImageDecodeError", `vips: unable to load {path}: VipsJpeg: Premature end of JPEG file`},
		{"thumb.pixels", "ImageTooLarge", `image {uuid} has {big} pixels, limit 100000000`},
	},
	"ai.summarize": {
		{"ai.empty", "EmptyCompletion", `model returned an empty completion for document {id} ({int} tokens in)`},
		{"ai.json", "CompletionParseError", `completion is not valid JSON at offset {int} (document {id})`},
	},
	"cleanup.expired": {
		{"cleanup.batch", "CleanupError", `cleanup of {table} removed {int} of {int} rows before timeout`},
	},
	"import.chunk": {
		{"import.row", "ImportRowError", `row {big} of chunk {n}: column {col} cannot be parsed as a date`},
		{"import.encoding", "EncodingError", `import chunk {n} of file {uuid}: invalid byte sequence at offset {big}`},
		{"import.dup", "ImportDuplicate", `{int} duplicate external ids in chunk {n} of import {id}`},
	},
}

// Scenario signatures: templates that never occur in the baseline, so an
// injected incident has a recognisable new fingerprint. Each scenario
// instance takes one, chosen by the seed.
var badDeployTemplates = []tmplDef{
	{"deploy.nomethod", "NoMethodError", `undefined method 'effective_plan_limits' for nil:NilClass (app/models/account_policy.rb:{line})`},
	{"deploy.nil_map", "runtime.Error", `panic: assignment to entry in nil map [recovered] in pricing.(*Quote).apply goroutine {gid}`},
	{"deploy.column", "pq.Error", `ERROR: column "archived_reason" does not exist at character {int} (SQLSTATE 42703)`},
	{"deploy.serializer", "ActiveModel::MissingAttributeError", `missing attribute 'settings_v2' for Account (serializer AccountSerializer, {ms}ms)`},
	{"deploy.enum", "ArgumentError", `'{n}' is not a valid delivery_mode (request {reqid})`},
}

var creepTemplates = []tmplDef{
	{"creep.pool", "PoolExhausted", `connection pool exhausted: {int} of {int} connections checked out for over {sec}s`},
	{"creep.fd", "os.SyscallError", `socket: too many open files (open fds {big}, limit {big})`},
	{"creep.leak", "ResourceLeak", `leaked {int} prepared statements on connection {hex8} (oldest {dur})`},
}

var poisonTemplates = []tmplDef{
	{"poison.panic", "runtime.Error", `panic: runtime error: index out of range [{n}] with length {n} in payload decoder (job {jobid})`},
	{"poison.recursion", "SystemStackError", `stack level too deep expanding nested template for job {jobid}`},
	{"poison.decode", "json.SyntaxError", `unexpected end of JSON input decoding job arguments ({int} bytes)`},
}

var retryStormTemplates = []tmplDef{
	{"storm.lock", "LockNotAcquired", `could not acquire job lock {hex8}, will retry immediately`},
	{"storm.conflict", "RetryableConflict", `write conflict on batch {uuid}, retrying`},
}

var stuckTemplates = []tmplDef{
	{"stuck.heartbeat", "HeartbeatMissed", `worker {host} missed {n} heartbeats; {int} jobs may be orphaned`},
}
