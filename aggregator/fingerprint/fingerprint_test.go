package fingerprint

import (
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

func TestTemplate(t *testing.T) {
	tests := []struct {
		name, msg, want string
	}{
		{"plain words kept", "flush sensor data", "flush sensor data"},
		{"empty", "", ""},
		{"only spaces", " \t \r\n", ""},
		{"spaces normalised", "  a \t b\r\n", "a b"},
		{"control bytes are spaces", "a\x00b\x1bc", "a b c"},
		{"integer", "took 12 of 20", "took <*> of <*>"},
		{"unit joins its number", "took 12 ms; 3.5 GB (1 KB)", "took <*>; <*>"},
		{"variable annotation dropped", "from 1.2.3.4 (host.example.com) ok", "from <*> ok"},
		{"empty annotation dropped", "from 1.2.3.4 (), ok", "from <*>, ok"},
		{"annotation glued to text kept", "took (12)ms", "took (<*>)ms"},
		{"worded parenthesis kept", "exit (code 2)", "exit (code <*>)"},
		{"leading parenthesis kept", "(42) retries", "(<*>) retries"},
		{"tilde joins a component name", "package: Package_for_KB31~31bf3856ad364e35~amd64~~6.1.1.0, state 5", "package: <*>, state <*>"},
		{"stars are text", "speeds ( 3552 **** 3515 )", "speeds ( <*> **** <*> )"},
		{"short letter prefix is part of the id", "node node12 down", "node <*> down"},
		{"bound joins its number", "lifetime <1 sec", "lifetime <*>"},
		{"unit word alone kept", "size in MB", "size in MB"},
		{"clock with meridiem", "at 10:30 PM, retry", "at <*>, retry"},
		{"negative and float", "delta -3 ratio 0.25", "delta <*> ratio <*>"},
		{"number with unit", "timeout of 10000ms exceeded", "timeout of <*> exceeded"},
		{"hex", "at 0x0b85eee0, mask 0x05", "at <*>, mask <*>"},
		{"ipv4 with port", "from 10.0.0.1:8080", "from <*>"},
		{"ipv4 in slash-port", "bind 0.0.0.0/0.0.0.0:3888", "bind <*>"},
		{"ipv6", "addr fe80::21a:2bff:fe3c:4d5e up", "addr <*> up"},
		{"mac", "mac 00:1a:2b:3c:4d:5e up", "mac <*> up"},
		{"clock time", "at 02:08:10 ok", "at <*> ok"},
		{"uuid", "req 123e4567-e89b-12d3-a456-426614174000 done", "req <*> done"},
		{"id with digits", "block blk_-6952295868487656571 ok", "block <*> ok"},
		{"word prefix kept", "tryToReload1514044800223|3786", "tryToReload<*>"},
		{"short prefix is id", "host dn228 up", "host <*> up"},
		{"word prefix", "no server for storage258", "no server for storage<*>"},
		{"hex prefix is id", "lock fefe7216 held", "lock <*> held"},
		{"random prefix is id", "message oeqpZjShOmplS6 sent", "message <*> sent"},
		{"random prefix with consonants is id", "workspace TyFmWzslnPEKr63 gone", "workspace <*> gone"},
		{"random letters are an id", "charge ch_aODhJcNpEpqFnt failed", "charge <*> failed"},
		{"camel case is not random", "processHandleBroadcastAction getTodayTotalDetailSteps", "processHandleBroadcastAction getTodayTotalDetailSteps"},
		{"leader dots separate", "exception.........0", "exception.........<*>"},
		{"unix path", "open /var/lib/zk/version-2/snapshot.1 failed", "open <*> failed"},
		{"path after colon", "Error Path:/home/x/.zk", "Error Path:<*>"},
		{"path in parens", "chdir(/p/gb1/run) failed", "chdir(<*>) failed"},
		{"slash inside word kept", "I/O error, n/a", "I/O error, n/a"},
		{"windows path", `Core: C:\Windows\winsxs\cbscore.dll`, "Core: <*>"},
		{"unc path", `share \\srv\data missing`, "share <*> missing"},
		{"url", "GET https://x.example.com/a?b=1 failed", "GET <*> failed"},
		{"url in brackets", "listening on [akka.tcp://sys@host-1:555]", "listening on [<*>]"},
		{"host name", "lookup ns.marryaldkfaczcz.com failed", "lookup <*> failed"},
		{"country host", "from pc.ms.com.tw ok", "from <*> ok"},
		{"class name is a value", "due to java.io.IOException: closed", "due to <*>: closed"},
		{"constant name kept", "action: android.intent.action.SCREEN_ON", "action: android.intent.action.SCREEN_ON"},
		{"two-label name kept", "NameSystem.addStoredBlock: done", "NameSystem.addStoredBlock: done"},
		{"property key is not a host", "set user.name=zk", "set user.name=<*>"},
		{"file name", "Dropbox.exe - close", "<*> - close"},
		{"dotted property", "mapred.task.id is deprecated. Instead, use mapreduce.task.attempt.id", "<*> is deprecated. Instead, use <*>"},
		{"two labels kept", "autopurge.purgeInterval set to 0", "autopurge.purgeInterval set to <*>"},
		{"email", "mail alice@example.org sent", "mail <*> sent"},
		{"key value", "tty=ssh ruser= rhost=1.2.3.4", "tty=<*> ruser=<*> rhost=<*>"},
		{"value stops at a bracket", "opt = Opt{a=1}", "opt = <*>{a=<*>}"},
		{"key value in parens", "by (uid=0)", "by (uid=<*>)"},
		{"spaced key value", "packageName = com.huawei.health", "packageName = <*>"},
		{"trailing equals", "getStepCounterStatus= true", "getStepCounterStatus= <*>"},
		{"equals before pair", "logname= uid=0", "logname=<*> uid=<*>"},
		{"equals at end", "error =", "error =<*>"},
		{"value up to comma", "errorCode = 4,errorMessage = ERR", "errorCode = <*>,errorMessage = <*>"},
		{"colon value kept", "action: android.intent.action.SCREEN_ON", "action: android.intent.action.SCREEN_ON"},
		{"quoted value phrase", `tag="RILJ ACK" name=x`, `tag="<*>" name=<*>`},
		{"quoted word", `because "s" is null`, `because "<*>" is null`},
		{"quoted phrase scanned", `"GET /v2/x HTTP/1.1" status: 200`, `"GET <*> HTTP/<*>" status: <*>`},
		{"single quoted", "service 'sparkDriver' on", "service '<*>' on"},
		{"empty quotes kept", `value "" empty`, `value "" empty`},
		{"apostrophe not a quote", "can't find child", "can't find child"},
		{"unclosed quote", `say "hi`, `say "hi`},
		{"user names", "Invalid user webmaster from 1.2.3.4", "Invalid user <*> from <*>"},
		{"user chain", "invalid user user from 1.2.3.4", "invalid user <*> from <*>"},
		{"for name from", "Failed password for root from 1.2.3.4 port 22 ssh2", "Failed password for <*> from <*> port <*>"},
		{"for without from kept", "failures for admin [preauth]", "failures for admin [preauth]"},
		{"date words", "at Sat Jun 18 02:08:10 2005", "at <*>"},
		{"month without number kept", "May the source", "May the source"},
		{"list collapses", "delete blk_1 blk_2 blk_3", "delete <*>"},
		{"starred suffix collapses", "app.exe *64 - host.example.com:443 close", "<*> close"},
		{"list with commas collapses", "ids [1, 2, 3]", "ids [<*>]"},
		{"hash separated", "steps = 1##0##549659", "steps = <*>"},
		{"words between numbers keep them apart", "sym 2, at 0x0b", "sym <*>, at <*>"},
		{"non-ascii letters kept", "déjà vu 42", "déjà vu <*>"},
	}
	f := New(Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, got := f.Fingerprint(tt.msg)
			if got != tt.want {
				t.Errorf("Fingerprint(%q)\n got %q\nwant %q", tt.msg, got, tt.want)
			}
			if id != ID(got) {
				t.Errorf("id %d != ID(template) %d", id, ID(got))
			}
		})
	}
}

func TestSameTemplateSameID(t *testing.T) {
	f := New(Config{})
	a, ta := f.Fingerprint("Connection closed by 88.147.143.242 [preauth]")
	b, tb := f.Fingerprint("Connection closed by 1.237.174.253   [preauth]")
	if a != b || ta != tb {
		t.Errorf("different fingerprints for one event: %d %q vs %d %q", a, ta, b, tb)
	}
	c, _ := f.Fingerprint("Connection reset by 1.237.174.253 [preauth]")
	if c == a {
		t.Errorf("same fingerprint for different events")
	}
}

// TestIDStable pins ids: a failure means the masking rules or the hash
// changed, which must come with a Version bump.
func TestIDStable(t *testing.T) {
	tests := []struct {
		msg  string
		want uint64
	}{
		{"", 0xef46db3751d8e999},
		{"took 12 ms", ID("took <*>")},
	}
	f := New(Config{})
	for _, tt := range tests {
		if id, _ := f.Fingerprint(tt.msg); id != tt.want {
			t.Errorf("Fingerprint(%q) id = %#x, want %#x", tt.msg, id, tt.want)
		}
	}
	if Version != 2 {
		t.Errorf("Version = %d: update the pinned ids above with the new version", Version)
	}
}

func TestInvalidUTF8(t *testing.T) {
	tests := []struct{ name, msg, want string }{
		{"lone continuation byte", "bad \x80 byte", "bad \uFFFD byte"},
		{"truncated rune", "caf\xc3 ok", "caf\uFFFD ok"},
		{"invalid inside number", "n=1\xff2", "n=<*>"},
		{"invalid in quotes", "\"\xff\"", "\"<*>\""},
	}
	f := New(Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got := f.Fingerprint(tt.msg)
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if !utf8.ValidString(got) {
				t.Errorf("template %q is not valid UTF-8", got)
			}
		})
	}
}

func TestLongMessage(t *testing.T) {
	f := New(Config{})
	words := strings.Repeat("word ", 2*MaxMessageBytes/5)
	_, long := f.Fingerprint(words)
	if len(long) > MaxMessageBytes+len(" <*>") {
		t.Errorf("template of %d bytes for a long message", len(long))
	}
	if !strings.HasSuffix(long, "word "+Wildcard) {
		t.Errorf("truncated template should end in a whole word and %q: ...%q", Wildcard, long[len(long)-20:])
	}
	// Only the first MaxMessageBytes+1 bytes matter, so a stream reader can
	// drop the rest of a huge line.
	for _, msg := range []string{words + "tail", strings.Repeat("x", 3*MaxMessageBytes)} {
		_, full := f.Fingerprint(msg)
		_, prefix := f.Fingerprint(msg[:MaxMessageBytes+1])
		if full != prefix {
			t.Errorf("template depends on bytes past MaxMessageBytes+1")
		}
	}
	_, oneToken := f.Fingerprint(strings.Repeat("x", 3*MaxMessageBytes))
	if len(oneToken) != MaxMessageBytes+len(" <*>") {
		t.Errorf("one huge token: template of %d bytes", len(oneToken))
	}
}

func TestConcurrentUse(t *testing.T) {
	f := New(Config{})
	msgs := []string{"a 1", "user x from 1.2.3.4", `q "x y" z`, strings.Repeat("blk_1 ", 200)}
	want := make([]string, len(msgs))
	for i, m := range msgs {
		_, want[i] = f.Fingerprint(m)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 500; n++ {
				i := n % len(msgs)
				if _, got := f.Fingerprint(msgs[i]); got != want[i] {
					t.Errorf("concurrent Fingerprint(%q) = %q, want %q", msgs[i], got, want[i])
					return
				}
			}
		}()
	}
	wg.Wait()
}
