// A CoreMark-like mix (not CoreMark itself, and not comparable with CoreMark scores): each
// iteration runs a linked-list kernel (find, reverse, merge sort), a small int16 matrix kernel
// and a number-parsing state machine, and folds every result into a bitwise CRC-16.
// run(iterations) returns the final CRC combined with the last iteration's partial results.
#include <stdint.h>

// ---------------------------------------------------------------- CRC-16 (bitwise, 0xA001)
static uint16_t crcu8(uint8_t data, uint16_t crc) {
    for (int i = 0; i < 8; i++) {
        uint8_t x16 = (uint8_t)((data & 1) ^ ((uint8_t)crc & 1));
        data >>= 1;
        if (x16 == 1) {
            crc ^= 0x4002;
            crc = (uint16_t)((crc >> 1) | 0x8000);
        } else {
            crc = (uint16_t)(crc >> 1);
        }
    }
    return crc;
}
static uint16_t crcu16(uint16_t v, uint16_t crc) {
    crc = crcu8((uint8_t)v, crc);
    return crcu8((uint8_t)(v >> 8), crc);
}
static uint16_t crcu32(uint32_t v, uint16_t crc) {
    crc = crcu16((uint16_t)v, crc);
    return crcu16((uint16_t)(v >> 16), crc);
}

// ---------------------------------------------------------------- linked list
typedef struct Node {
    struct Node *next;
    int16_t value;
    int16_t idx;
} Node;

#define LIST_N 400
static Node pool[LIST_N];

static Node *list_build(uint32_t seed) {
    Node *head = 0;
    for (int i = LIST_N - 1; i >= 0; i--) {
        seed = seed * 1103515245u + 12345u;
        pool[i].value = (int16_t)((seed >> 16) & 0x7fff);
        pool[i].idx = (int16_t)i;
        pool[i].next = head;
        head = &pool[i];
    }
    return head;
}

static Node *list_find(Node *list, int16_t value, int by_idx) {
    while (list && (by_idx ? list->idx : (list->value & 0xff)) != value) list = list->next;
    return list;
}

static Node *list_reverse(Node *list) {
    Node *prev = 0;
    while (list) {
        Node *next = list->next;
        list->next = prev;
        prev = list;
        list = next;
    }
    return prev;
}

static int cmp_node(const Node *a, const Node *b, int by_idx) {
    return by_idx ? a->idx - b->idx : a->value - b->value;
}

// Bottom-up merge sort of a singly linked list (as in CoreMark's core_list_mergesort).
static Node *list_mergesort(Node *list, int by_idx) {
    int insize = 1;
    for (;;) {
        Node *p = list, *tail = 0;
        list = 0;
        int nmerges = 0;
        while (p) {
            nmerges++;
            Node *q = p;
            int psize = 0;
            for (int i = 0; i < insize && q; i++) {
                psize++;
                q = q->next;
            }
            int qsize = insize;
            while (psize > 0 || (qsize > 0 && q)) {
                Node *e;
                if (psize == 0) {
                    e = q; q = q->next; qsize--;
                } else if (qsize == 0 || !q) {
                    e = p; p = p->next; psize--;
                } else if (cmp_node(p, q, by_idx) <= 0) {
                    e = p; p = p->next; psize--;
                } else {
                    e = q; q = q->next; qsize--;
                }
                if (tail) tail->next = e; else list = e;
                tail = e;
            }
            p = q;
        }
        tail->next = 0;
        if (nmerges <= 1) return list;
        insize *= 2;
    }
}

static uint16_t bench_list(uint32_t seed, uint16_t crc) {
    Node *list = list_build(seed);
    int found = 0, missed = 0;
    for (int16_t i = 0; i < 32; i++) {
        Node *n = list_find(list, (int16_t)(((uint32_t)i * 37u + seed) & 0xffu), 0);
        if (n) {
            found++;
            crc = crcu16((uint16_t)n->idx, crc);
        } else {
            missed++;
        }
        list = list_reverse(list);
    }
    list = list_mergesort(list, 0);
    for (Node *n = list; n; n = n->next) crc = crcu16((uint16_t)n->value, crc);
    list = list_mergesort(list, 1);
    Node *n = list_find(list, (int16_t)(seed % LIST_N), 1);
    crc = crcu16((uint16_t)(n ? n->value : -1), crc);
    crc = crcu16((uint16_t)(found * 4 + missed), crc);
    return crc;
}

// ---------------------------------------------------------------- matrix
#define MAT_N 20
static int16_t ma[MAT_N * MAT_N], mb[MAT_N * MAT_N];
static int32_t mc[MAT_N * MAT_N];

static uint16_t mat_crc(uint16_t crc) {
    int32_t sum = 0;
    for (int i = 0; i < MAT_N * MAT_N; i++) {
        sum += mc[i];
        if (sum > 0x40000 || sum < -0x40000) {
            crc = crcu32((uint32_t)sum, crc);
            sum = 0;
        }
    }
    return crcu32((uint32_t)sum, crc);
}

static uint16_t bench_matrix(uint32_t seed, uint16_t crc) {
    for (int i = 0; i < MAT_N * MAT_N; i++) {
        seed = seed * 1103515245u + 12345u;
        ma[i] = (int16_t)((seed >> 16) & 0xfff) - 0x800;
        seed = seed * 1103515245u + 12345u;
        mb[i] = (int16_t)((seed >> 16) & 0xfff) - 0x800;
    }
    int16_t val = (int16_t)(seed & 0xff);
    // A += val; C = A * val; C = A x vector; C = A x B; C = bit fields of A x B.
    for (int i = 0; i < MAT_N * MAT_N; i++) ma[i] = (int16_t)(ma[i] + val);
    for (int i = 0; i < MAT_N * MAT_N; i++) mc[i] = (int32_t)ma[i] * (int32_t)val;
    crc = mat_crc(crc);
    for (int i = 0; i < MAT_N; i++) {
        int32_t s = 0;
        for (int j = 0; j < MAT_N; j++) s += (int32_t)ma[i * MAT_N + j] * (int32_t)mb[j];
        mc[i] = s;
    }
    crc = mat_crc(crc);
    for (int i = 0; i < MAT_N; i++) {
        for (int j = 0; j < MAT_N; j++) {
            int32_t s = 0;
            for (int k = 0; k < MAT_N; k++)
                s += (int32_t)ma[i * MAT_N + k] * (int32_t)mb[k * MAT_N + j];
            mc[i * MAT_N + j] = s;
        }
    }
    crc = mat_crc(crc);
    for (int i = 0; i < MAT_N; i++) {
        for (int j = 0; j < MAT_N; j++) {
            int32_t s = 0;
            for (int k = 0; k < MAT_N; k++) {
                int32_t t = (int32_t)ma[i * MAT_N + k] * (int32_t)mb[k * MAT_N + j];
                s += ((t >> 2) & 0xf) * ((t >> 5) & 0x7f);
            }
            mc[i * MAT_N + j] = s;
        }
    }
    return mat_crc(crc);
}

// ---------------------------------------------------------------- state machine
enum { S_START, S_INVALID, S_S1, S_S2, S_INT, S_FLOAT, S_EXPONENT, S_SCIENTIFIC, S_COUNT };

#define TEXT_N 1200
static uint8_t text[TEXT_N + 1];

static const char *const tokens[] = {
    "5012", "1234", "-874", "+122", "35.54400", ".1234500", "-110.700", "+0.64400",
    "5.500e+3", "-.123e-2", "-87e+832", "+0.6e-12", "T0.3e-1F", "-T.T++Tq", "1T3.4e4z", "34.0e-T^",
};

static void text_build(uint32_t seed) {
    uint32_t pos = 0;
    while (pos + 10 < TEXT_N) {
        seed = seed * 1103515245u + 12345u;
        const char *t = tokens[(seed >> 16) & 15];
        while (*t) text[pos++] = (uint8_t)*t++;
        text[pos++] = ',';
    }
    while (pos < TEXT_N) text[pos++] = ' ';
    text[TEXT_N] = 0;
}

static int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

static int next_state(const uint8_t **p, uint32_t *transitions) {
    const uint8_t *s = *p;
    int state = S_START;
    for (; *s && state != S_INVALID; s++) {
        uint8_t c = *s;
        if (c == ',') {
            s++;
            break;
        }
        int prev = state;
        switch (state) {
        case S_START:
            if (is_digit(c)) state = S_INT;
            else if (c == '+' || c == '-') state = S_S1;
            else if (c == '.') state = S_FLOAT;
            else state = S_INVALID;
            break;
        case S_S1:
            if (is_digit(c)) state = S_INT;
            else if (c == '.') state = S_FLOAT;
            else state = S_INVALID;
            break;
        case S_INT:
            if (c == '.') state = S_FLOAT;
            else if (!is_digit(c)) state = S_INVALID;
            break;
        case S_FLOAT:
            if (c == 'E' || c == 'e') state = S_S2;
            else if (!is_digit(c)) state = S_INVALID;
            break;
        case S_S2:
            if (c == '+' || c == '-') state = S_EXPONENT;
            else state = S_INVALID;
            break;
        case S_EXPONENT:
            if (is_digit(c)) state = S_SCIENTIFIC;
            else state = S_INVALID;
            break;
        case S_SCIENTIFIC:
            if (!is_digit(c)) state = S_INVALID;
            break;
        default:
            break;
        }
        if (state != prev) transitions[state]++;
    }
    *p = s;
    return state;
}

static uint16_t bench_state(uint32_t seed, uint16_t crc) {
    uint32_t final_counts[S_COUNT] = {0}, transitions[S_COUNT] = {0};
    for (int pass = 0; pass < 2; pass++) {
        const uint8_t *p = text;
        while (*p) final_counts[next_state(&p, transitions)]++;
        // Corrupt every 13th character, then parse again (like CoreMark's second pass).
        for (uint32_t i = seed % 13u; i < TEXT_N; i += 13) text[i] ^= (uint8_t)(seed & 0x3f);
    }
    for (int i = 0; i < S_COUNT; i++) {
        crc = crcu32(final_counts[i], crc);
        crc = crcu32(transitions[i], crc);
    }
    return crc;
}

int32_t run(int32_t iterations) {
    uint16_t crc = 0;
    uint16_t last = 0;
    for (int32_t it = 0; it < iterations; it++) {
        uint32_t seed = 0x3415u + (uint32_t)it * 0x9e3779b9u;
        text_build(seed);
        uint16_t l = bench_list(seed, 0);
        uint16_t m = bench_matrix(seed, 0);
        uint16_t s = bench_state(seed, 0);
        crc = crcu16(l, crc);
        crc = crcu16(m, crc);
        crc = crcu16(s, crc);
        last = (uint16_t)(l ^ m ^ s);
    }
    return (int32_t)(((uint32_t)last << 16) | crc);
}
