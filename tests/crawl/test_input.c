/* test_input.c - the pieces of `spinscan rank` below the CLI: visible text of
 * HTML, crawl inputs read through input.h (JSON Lines, WARC, directories,
 * gzip members that recover after a bad one), ranking entries, their lines
 * and their order, and reading lines back for merge. */
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "text/html.h"
#include "crawl/input.h"
#include "util/mem.h"
#include "crawl/rank.h"
#include "text/reader.h"
#include "tap.h"
#include "support/scratch.h"

static char tmpdir[] = "/tmp/spinscan-test-input.XXXXXX";

static char *path_in(const char *name) {
    return scratch_path(tmpdir, name);
}

static void write_file(const char *name, const void *data, size_t len) {
    scratch_write(path_in(name), data, len);
}

static void test_html(void) {
    const char *page =
        "<!DOCTYPE html><html><head><title>Kept out</title><style>p{color:red}</style></head>"
        "<body><h1>Garden notes</h1><p>The beans grew   tall\nthis year.  We picked them in "
        "July.</p><script>var hidden = \"never shown\";</script><noscript>no script "
        "text</noscript><ul><li>One item</li><li>Two &amp; three</li></ul><div>Split<br>line "
        "<b>bold</b> end</div><pre>a  b\nc</pre></body></html>";
    char *out;
    size_t len;
    ok(html_to_text(page, strlen(page), NULL, &out, &len, NULL) == SPIN_OK, "html: converted");
    is_str(out,
           "Garden notes\nThe beans grew tall this year. We picked them in July.\nOne item\n"
           "Two & three\nSplit\nline bold end\na  b\nc\n",
           "html: visible text only, blocks on their own lines, entities decoded");
    is_int(len, strlen(out), "html: length");
    mem_free(out);

    const char *latin = "<p>caf\xe9 cr\xe8me</p>";
    ok(html_to_text(latin, strlen(latin), "iso-8859-1", &out, &len, NULL) == SPIN_OK,
       "html: latin-1 page");
    is_str(out, "caf\xc3\xa9 cr\xc3\xa8me\n", "html: the HTTP charset is honoured (UTF-8 out)");
    mem_free(out);

    ok(html_to_text("", 0, NULL, &out, &len, NULL) == SPIN_OK && len == 0, "html: empty page");
    mem_free(out);

    /* Deep nesting must not recurse. */
    size_t depth = 20000;
    char *deep = malloc(depth * 5 + 16);
    size_t n = 0;
    for (size_t i = 0; i < depth; ++i)
        n += (size_t)sprintf(deep + n, "<div>");
    n += (size_t)sprintf(deep + n, "deep");
    ok(html_to_text(deep, n, NULL, &out, &len, NULL) == SPIN_OK, "html: 20000 nested divs");
    mem_free(out);
    free(deep);

    ok(input_looks_html("  <!DOCTYPE HTML>", 17), "looks html: doctype, any case");
    ok(input_looks_html("\xef\xbb\xbf<html lang=en>", 18), "looks html: after a BOM");
    ok(!input_looks_html("<p>just a tag", 13), "looks html: not every tag");
}

/* Reads every event of 'paths' into a summary string: "D:id|" per document
 * and "S:reason@line|" (JSON Lines) or "S:reason@0/byte|" per skip. */
static void run_input(char *const *paths, size_t n, const input_options *o, char *sum,
                      size_t size) {
    input *in;
    sum[0] = '\0';
    if (input_open(paths, n, o, &in) != SPIN_OK) {
        snprintf(sum, size, "open failed");
        return;
    }
    size_t used = 0;
    for (int guard = 0; guard < 1000; ++guard) {
        input_event ev;
        input_doc doc;
        input_skip why;
        spin_diag d;
        memset(&doc, 0, sizeof doc);
        if (input_next(in, &ev, &doc, &why, &d) != SPIN_OK) {
            snprintf(sum + used, size - used, "ERROR");
            break;
        }
        if (ev == INPUT_END)
            break;
        if (ev == INPUT_DOC)
            used += (size_t)snprintf(sum + used, size - used, "D:%s%s|", doc.id,
                                     doc.html ? "(html)" : "");
        else if (d.line)
            used += (size_t)snprintf(sum + used, size - used, "S:%s@%llu|", input_skip_name(why),
                                     (unsigned long long)d.line);
        else
            used += (size_t)snprintf(sum + used, size - used, "S:%s@0/%llu|", input_skip_name(why),
                                     (unsigned long long)d.byte);
        input_doc_free(&doc);
    }
    input_free(in);
}

static void test_jsonl(void) {
    const char *jl = "{\"id\": \"a\", \"text\": \"First text.\"}\n"
                     "\n"
                     "{\"url\": \"http://u.example/\", \"text\": \"Second.\"}\n"
                     "{\"text\": \"No id here.\"}\n"
                     "{\"id\": 42, \"text\": \"Numeric id.\"}\n"
                     "{\"id\": \"b\", \"text\": \"unterminated\n"
                     "{\"id\": \"c\", \"body\": \"wrong field\"}\n"
                     "{\"id\": \"d\", \"text\": 7}\n"
                     "[1, 2]\n"
                     "{\"id\": \"e\", \"text\": \"Trailing junk.\"} x\n"
                     "{\"id\": \"f\", \"text\": \"Last, no newline.\"}";
    write_file("a.jsonl", jl, strlen(jl));
    char *paths[] = {path_in("a.jsonl")};
    char sum[4096], want[4096];
    input_options o;
    input_options_init(&o);
    run_input(paths, 1, &o, sum, sizeof sum);
    snprintf(want, sizeof want,
             "D:a|D:http://u.example/|D:%s:4|D:42|S:bad-json@6|S:no-text@7|S:no-text@8|"
             "S:bad-json@9|S:bad-json@10|D:f|",
             paths[0]);
    is_str(sum, want, "jsonl: ids (id, url, FILE:LINE, number) and skips with their lines");

    o.text_field = "body";
    o.id_field = "id";
    run_input(paths, 1, &o, sum, sizeof sum);
    ok(strstr(sum, "D:c|") && strstr(sum, "S:no-text@1|"), "jsonl: --text-field: %s", sum);

    input_options_init(&o);
    o.max_bytes = 8;
    run_input(paths, 1, &o, sum, sizeof sum);
    ok(strstr(sum, "S:too-large@1|") && strstr(sum, "D:http://u.example/|"),
       "jsonl: a text over max_bytes is skipped: %s", sum);

    /* Sharding by id: the shards partition the documents. */
    input_options_init(&o);
    size_t total = 0;
    for (uint32_t s = 0; s < 3; ++s) {
        o.shard = s;
        o.nshards = 3;
        run_input(paths, 1, &o, sum, sizeof sum);
        for (const char *p = sum; (p = strstr(p, "D:")) != NULL; ++p)
            ++total;
    }
    is_int(total, 5, "jsonl: three shards hold the 5 documents once each");
    is_int(input_hash("abc", 3), 0xe71fa2190541574bull, "hash: FNV-1a 64 of 'abc'");
}

static const char *warc_rec(char *out, const char *type, const char *uri, const char *ctype,
                            const char *body, long claimed) {
    long len = claimed >= 0 ? claimed : (long)strlen(body);
    sprintf(out,
            "WARC/1.0\r\nWARC-Type: %s\r\nWARC-Target-URI: %s\r\nContent-Type: %s\r\n"
            "Content-Length: %ld\r\n\r\n%s\r\n\r\n",
            type, uri, ctype, len, body);
    return out;
}

static void test_warc(void) {
    char r[8][1024], all[8192];
    const char *html = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>Hello there.</p>";
    const char *chunked = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: "
                          "chunked\r\n\r\n5\r\nHello\r\n7\r\n there.\r\n0\r\n\r\n";
    snprintf(all, sizeof all, "%s%s%s%s%s%s",
             warc_rec(r[0], "warcinfo", "", "application/warc-fields", "x: y", -1),
             warc_rec(r[1], "response", "http://w/1", "application/http", html, -1),
             warc_rec(r[2], "conversion", "<http://w/2>", "text/plain", "Plain words.", -1),
             warc_rec(r[3], "conversion", "http://w/3", "text/plain", "Short claim.", 3),
             warc_rec(r[4], "response", "http://w/4", "application/http", chunked, -1),
             warc_rec(r[5], "conversion", "http://w/5", "image/jpeg", "....", -1));
    write_file("a.warc", all, strlen(all));
    char *paths[] = {path_in("a.warc")};
    char sum[4096];
    input_options o;
    input_options_init(&o);
    run_input(paths, 1, &o, sum, sizeof sum);
    size_t at3 = strlen(r[0]) + strlen(r[1]) + strlen(r[2]);
    size_t at5 = at3 + strlen(r[3]) + strlen(r[4]);
    char want[1024];
    snprintf(want, sizeof want,
             "D:http://w/1(html)|D:http://w/2|S:bad-length@0/%zu|D:http://w/4|"
             "S:non-text@0/%zu|",
             at3, at5);
    is_str(sum, want, "warc: records, <uri>, chunked body, lying length, non-text type");

    /* .warc.gz: one member per record, the second one cut short. */
    unsigned char gz[16384];
    size_t n = 0;
    scratch_gzip(6, r[1], strlen(r[1]), gz, sizeof gz, &n);
    size_t bad_at = n, end2 = n;
    scratch_gzip(6, r[2], strlen(r[2]), gz, sizeof gz, &end2);
    n += (end2 - n) / 2; /* the second member cut in half */
    scratch_gzip(6, r[4], strlen(r[4]), gz, sizeof gz, &n);
    write_file("b.warc.gz", gz, n);
    paths[0] = path_in("b.warc.gz");
    run_input(paths, 1, &o, sum, sizeof sum);
    snprintf(want, sizeof want, "D:http://w/1(html)|S:corrupt@0/%zu|D:http://w/4|", bad_at);
    is_str(sum, want, "warc.gz: a truncated member costs its record only, named by its byte");

    /* The same through a pipe-less memory reader: recovery in reader.c. */
    reader *rd;
    spin_diag d;
    ok(reader_open_memory(gz, n, "mem", &rd, &d) == SPIN_OK, "reader: open members");
    reader_set_recover(rd, true);
    char buf[65536];
    size_t got, total = 0;
    int errors = 0;
    for (int i = 0; i < 100; ++i) {
        spin_status st = reader_read(rd, buf + total, sizeof buf - total, &got, &d);
        if (st != SPIN_OK) {
            ++errors;
            is_int(d.byte, bad_at, "reader: the error names the bad member's start");
            continue;
        }
        if (!got)
            break;
        total += got;
    }
    is_int(errors, 1, "reader: one error for the bad member");
    buf[total] = '\0';
    ok(strstr(buf, "http://w/4") != NULL, "reader: the member after it is read");
    reader_free(rd);
}

static void test_dirs(void) {
    char sum[4096], want[4096];
    mkdir(path_in("d"), 0777);
    mkdir(path_in("d/sub"), 0777);
    write_file("d/b.txt", "Bee.", 4);
    write_file("d/a.txt", "Ay.", 3);
    write_file("d/sub/c.html", "<html><p>Sea.</p>", 17);
    symlink("..", path_in("d/sub/up"));
    symlink("nowhere", path_in("d/broken"));
    char *paths[] = {path_in("d"), path_in("missing")};
    input_options o;
    input_options_init(&o);
    run_input(paths, 2, &o, sum, sizeof sum);
    snprintf(want, sizeof want,
             "D:%s/a.txt|D:%s/b.txt|S:unreadable@0/0|D:%s/sub/c.html(html)|"
             "S:unreadable@0/0|",
             paths[0], paths[0], paths[0]);
    is_str(sum, want,
           "dirs: sorted walk, a loop walked once, broken link and missing path skipped");
}

static void test_rank(void) {
    det_result r;
    memset(&r, 0, sizeof r);
    det_sentence s[2];
    memset(s, 0, sizeof s);
    const char *text = "Caf\xc3\xa9 one. Two.";
    s[0].start = 0;
    s[0].end = 10;
    s[0].kind = TOK_PROSE;
    s[0].spin = 0.25;
    s[1].start = 11;
    s[1].end = 15;
    s[1].kind = TOK_PROSE;
    s[1].spin = 0.5;
    r.sentences = s;
    r.nsentences = 2;
    r.prose = 2; /* "sentences" counts prose, as score does */
    r.flagged = 1;
    r.tokens = 5;
    r.spin_score = 0.9700004;
    r.verdict = DET_SPUN;
    rank_entry *e;
    ok(rank_entry_make(RANK_TSV, "a\tb", 3, &r, text, strlen(text), 0, &e) == SPIN_OK, "tsv");
    is_str(rank_entry_line(e), "0.970000\ta\\tb\t2\t1\n", "tsv: 6 decimals, id escaped");
    mem_free(e);
    ok(rank_entry_make(RANK_JSONL, "q\"\xff", 3, &r, text, strlen(text), 0, &e) == SPIN_OK,
       "jsonl");
    is_str(rank_entry_line(e),
           "{\"id\": \"q\\\"\xef\xbf\xbd\", \"spin_score\": 0.97, \"verdict\": \"spun\", "
           "\"sentences\": 2, \"flagged\": 1, \"tokens\": 5}\n",
           "jsonl: SPEC fields, escaped id, invalid UTF-8 as U+FFFD");
    uint32_t score;
    char *id;
    size_t id_len;
    ok(rank_parse_line(RANK_JSONL, rank_entry_line(e), e->line_len - 1, &score, &id, &id_len,
                       NULL) == SPIN_OK &&
           score == 970000,
       "jsonl: read back");
    ok(e->id_len == 5 && !memcmp(e->data, "q\"\xef\xbf\xbd", 5) && id_len == 5 &&
           !memcmp(id, e->data, 5),
       "jsonl: sorted by the id as printed, which merge reads back");
    mem_free(id);
    mem_free(e);
    ok(rank_entry_make(RANK_ATTRIBUTES, "x", 1, &r, text, strlen(text), 0, &e) == SPIN_OK,
       "attributes");
    is_str(rank_entry_line(e),
           "{\"id\": \"x\", \"attributes\": {\"spinscan__spin\": [[0, 9, 0.25], [10, 14, 0.5]], "
           "\"spinscan__doc\": [[0, 14, 0.97]]}}\n",
           "attributes: code-point offsets (e-acute is one)");
    ok(rank_parse_line(RANK_ATTRIBUTES, rank_entry_line(e), e->line_len - 1, &score, &id, &id_len,
                       NULL) == SPIN_OK &&
           score == 970000 && !strcmp(id, "x"),
       "attributes: read back");
    mem_free(id);
    mem_free(e);
    ok(rank_parse_line(RANK_TSV, "0.500000\ta\\tb\\\\c\t1\t0", 20, &score, &id, &id_len, NULL) ==
               SPIN_OK &&
           id_len == 5 && !memcmp(id, "a\tb\\c", 5) && score == 500000,
       "tsv: id unescaped");
    mem_free(id);

    /* Top-K keeps the best K in order; ties by id, then input order. */
    ranking *all, *top;
    ranking_new(0, &all);
    ranking_new(3, &top);
    const char *ids[] = {"m", "b", "a", "z", "b", "c", "k"};
    const double sc[] = {0.5, 0.9, 0.9, 0.1, 0.9, 0.7, 0.2};
    for (int i = 0; i < 7; ++i) {
        r.spin_score = sc[i];
        rank_entry *x, *y;
        rank_entry_make(RANK_TSV, ids[i], 1, &r, text, 0, (uint64_t)i, &x);
        rank_entry_make(RANK_TSV, ids[i], 1, &r, text, 0, (uint64_t)i, &y);
        ranking_add(all, x);
        ranking_add(top, y);
    }
    rank_entry *const *ea, *const *et;
    size_t na = ranking_sorted(all, &ea), nt = ranking_sorted(top, &et);
    is_int(na, 7, "ranking: all kept");
    is_int(nt, 3, "ranking: top 3 kept");
    char order[32] = "";
    for (size_t i = 0; i < na; ++i)
        snprintf(order + strlen(order), sizeof order - strlen(order), "%.*s%llu",
                 (int)ea[i]->id_len, ea[i]->data, (unsigned long long)ea[i]->seq);
    is_str(order, "a2b1b4c5m0k6z3", "ranking: score desc, id asc, input order");
    ok(nt == 3 && et[0] == et[0] && !memcmp(et[0]->data, "a", 1) && et[1]->seq == 1 &&
           et[2]->seq == 4,
       "ranking: top 3 equal the first 3 of all");
    ranking_free(all);
    ranking_free(top);
}

int main(void) {
    if (!mkdtemp(tmpdir)) {
        printf("Bail out! cannot make a temporary directory\n");
        return 1;
    }
    html_init();
    test_html();
    test_jsonl();
    test_warc();
    test_dirs();
    test_rank();
    scratch_dir_remove(tmpdir);
    return tap_done();
}
