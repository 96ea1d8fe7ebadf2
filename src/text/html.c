/* html.c - visible text of HTML pages (see html.h).
 *
 * The tree is walked without recursion (parent and sibling links), so a
 * deeply nested page cannot exhaust the stack.  Output invariant: no line
 * starts or ends with a space, and no two newlines are adjacent.
 */
#include "text/html.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlmemory.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/diag.h"
#include "util/mem.h"

/* ---- the DOM's memory cap ----
 * libxml2 allocates through these (xmlMemSetup in html_init): while a page is
 * parsed on this thread, its allocations are counted and those beyond the cap
 * fail, which stops the parse; html_to_text then skips the page and says so. */
static size_t dom_limit = HTML_DOM_LIMIT_DEFAULT;
static _Thread_local size_t dom_used, dom_cap; /* dom_cap 0: not parsing here */
static _Thread_local bool dom_over;

static bool dom_refuse(size_t more, size_t less) {
    if (!dom_cap || dom_used - (less < dom_used ? less : dom_used) + more <= dom_cap)
        return false;
    dom_over = true;
    return true;
}

static void dom_count(size_t more, size_t less) {
    dom_used = dom_used - (less < dom_used ? less : dom_used) + more;
}

static void *dom_malloc(size_t n) {
    if (dom_refuse(n, 0))
        return NULL;
    void *p = malloc(n);
    if (p)
        dom_count(malloc_usable_size(p), 0);
    return p;
}

static void *dom_realloc(void *p, size_t n) {
    size_t old = p ? malloc_usable_size(p) : 0;
    if (n > old && dom_refuse(n, old))
        return NULL;
    void *q = realloc(p, n);
    if (q)
        dom_count(malloc_usable_size(q), old);
    return q;
}

static void dom_free(void *p) {
    if (p)
        dom_count(0, malloc_usable_size(p));
    free(p);
}

static char *dom_strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = dom_malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

void html_set_dom_limit(size_t bytes) {
    dom_limit = bytes;
}

size_t html_dom_limit(void) {
    return dom_limit;
}

void html_init(void) {
    xmlMemSetup(dom_free, dom_malloc, dom_realloc, dom_strdup);
    xmlInitParser();
}

/* ---- libxml2's own messages ----
 * Collected while a page is parsed on this thread instead of being printed
 * to stderr by libxml2 (with no file name); html_to_text hands the first one
 * to the caller, who reports it with the document's name. */
typedef struct xml_msgs {
    unsigned n;
    char first[200];
} xml_msgs;

static void xml_structured(void *ctx, xmlErrorPtr e) {
    xml_msgs *m = ctx;
    if (m->n++ == 0 && e && e->message) {
        size_t len = strcspn(e->message, "\n");
        while (len > 0 && (e->message[len - 1] == '\n' || e->message[len - 1] == ' '))
            --len;
        snprintf(m->first, sizeof m->first, "%.*s", (int)(len < 190 ? len : 190), e->message);
    }
}

static void xml_generic(void *ctx, const char *msg, ...) {
    xml_msgs *m = ctx;
    if (m->n++ == 0)
        snprintf(m->first, sizeof m->first, "%.*s", (int)strcspn(msg, "\n"), msg);
}

typedef struct text_buf {
    char *p;
    size_t len, cap;
    int pre; /* depth inside pre elements */
    bool oom;
} text_buf;

static void put(text_buf *b, const char *s, size_t n) {
    if (!b->oom && !mem_append(&b->p, &b->len, &b->cap, s, n))
        b->oom = true;
}

static void newline(text_buf *b) {
    while (b->len > 0 && b->p[b->len - 1] == ' ')
        --b->len;
    if (b->len > 0 && b->p[b->len - 1] != '\n')
        put(b, "\n", 1);
}

static bool is_space(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static void text(text_buf *b, const char *s) {
    if (b->pre) {
        for (const char *p = s; *p; ++p) {
            if (*p == '\n')
                newline(b);
            else if (*p != '\r')
                put(b, p, 1);
        }
        return;
    }
    const char *p = s;
    while (*p) {
        if (is_space((unsigned char)*p)) {
            while (is_space((unsigned char)*p))
                ++p;
            if (b->len > 0 && b->p[b->len - 1] != '\n' && b->p[b->len - 1] != ' ')
                put(b, " ", 1);
            continue;
        }
        const char *q = p;
        while (*q && !is_space((unsigned char)*q))
            ++q;
        put(b, p, (size_t)(q - p));
        p = q;
    }
}

static bool name_in(const xmlChar *name, const char *const *list) {
    for (; *list; ++list)
        if (!strcasecmp((const char *)name, *list))
            return true;
    return false;
}

static const char *const hidden[] = {"script", "style",  "noscript", "template", "head",   "svg",
                                     "math",   "canvas", "iframe",   "object",   "select", NULL};
static const char *const blocks[] = {
    "address", "article", "aside", "blockquote", "br",       "caption",    "dd",     "details",
    "dialog",  "div",     "dl",    "dt",         "fieldset", "figcaption", "figure", "footer",
    "form",    "h1",      "h2",    "h3",         "h4",       "h5",         "h6",     "header",
    "hgroup",  "hr",      "li",    "main",       "nav",      "ol",         "p",      "pre",
    "section", "summary", "table", "tbody",      "td",       "tfoot",      "th",     "thead",
    "tr",      "ul",      "body",  "html",       "legend",   "menu",       "center", NULL};

static void leave(text_buf *b, xmlNode *n) {
    if (n->type != XML_ELEMENT_NODE)
        return;
    if (name_in(n->name, blocks))
        newline(b);
    if (!strcasecmp((const char *)n->name, "pre") && b->pre > 0)
        --b->pre;
}

static void walk(text_buf *b, xmlNode *root) {
    xmlNode *n = root;
    while (n) {
        bool descend = false;
        if (n->type == XML_ELEMENT_NODE) {
            if (!name_in(n->name, hidden)) {
                if (name_in(n->name, blocks))
                    newline(b);
                if (!strcasecmp((const char *)n->name, "pre"))
                    ++b->pre;
                descend = n->children != NULL;
                if (!descend)
                    leave(b, n);
            }
        } else if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) && n->content) {
            text(b, (const char *)n->content);
        }
        if (descend) {
            n = n->children;
            continue;
        }
        /* Next in document order: a sibling, else the next of an ancestor. */
        while (n && !n->next) {
            n = n->parent;
            if (!n || n == root->parent || n->type == XML_DOCUMENT_NODE ||
                n->type == XML_HTML_DOCUMENT_NODE) {
                n = NULL;
                break;
            }
            leave(b, n);
        }
        if (n)
            n = n->next;
    }
}

spin_status html_to_text(const char *html, size_t len, const char *charset, char **out,
                         size_t *out_len, spin_diag *diag) {
    *out = NULL;
    *out_len = 0;
    if (len > (size_t)INT32_MAX)
        return diag_set(diag, SPIN_EFORMAT, "<html>", 0, 0, "page larger than 2 GiB");
    int opts = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
               HTML_PARSE_COMPACT;
    const char *enc = charset && *charset ? charset : NULL;
    xml_msgs msgs = {0, ""};
    xmlSetStructuredErrorFunc(&msgs, xml_structured);
    xmlSetGenericErrorFunc(&msgs, xml_generic);
    dom_used = 0;
    dom_over = false;
    dom_cap = dom_limit;
    htmlDocPtr doc = htmlReadMemory(html, (int)len, NULL, enc, opts);
    if (!doc && enc && !dom_over) /* a charset libxml2 does not know: let the page say */
        doc = htmlReadMemory(html, (int)len, NULL, NULL, opts);
    dom_cap = 0;
    xmlSetStructuredErrorFunc(NULL, NULL);
    xmlSetGenericErrorFunc(NULL, NULL);
    if (dom_over) {
        if (doc)
            xmlFreeDoc(doc);
        return diag_set(diag, SPIN_EFORMAT, "<html>", 0, 0,
                        "the page's document tree needs more than %zu MiB (HTML DOM memory cap, "
                        "see --max-dom); skipped",
                        dom_limit >> 20);
    }
    text_buf b = {NULL, 0, 0, 0, false};
    if (doc) {
        xmlNode *root = xmlDocGetRootElement(doc);
        if (root)
            walk(&b, root);
        xmlFreeDoc(doc);
    }
    if (b.oom) {
        mem_free(b.p);
        return diag_set(diag, SPIN_ENOMEM, "<html>", 0, 0, NULL);
    }
    newline(&b);
    put(&b, "", 0);
    if (b.oom || (!b.p && !(b.p = mem_alloc(1)))) {
        mem_free(b.p);
        return diag_set(diag, SPIN_ENOMEM, "<html>", 0, 0, NULL);
    }
    b.p[b.len] = '\0';
    *out = b.p;
    *out_len = b.len;
    if (diag) {
        if (msgs.n)
            diag_set(diag, SPIN_OK, "<html>", 0, 0, "libxml2: %s%s", msgs.first,
                     msgs.n > 1 ? " (and more)" : "");
        else
            diag->message[0] = '\0';
    }
    return SPIN_OK;
}
