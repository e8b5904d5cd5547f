# C-only helpers of hanparse/_core.py, cimported when it is compiled (never at run time in pure Python).
#
# What has no pure-Python spelling: the lookup tables as C arrays, the
# slice-by-8 CRC loop, memchr, and writing straight into bytes / array('q')
# buffers.  Everything else of the core (framing rules, errors, results) is
# the one source in _core.py.

from cpython cimport array
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from libc.string cimport memchr

cdef extern from *:
    """
    /* slice-by-8 tables: hp_x25s[0] is the classic byte table; hp_x25s[k][b] is the
       CRC of byte b followed by k zero bytes, so 8 input bytes fold in at once */
    static unsigned short hp_x25s[8][256];
    static unsigned short hp_arcs[8][256];
    static unsigned char hp_body[256];    /* P1 telegram bytes but '!' */
    static unsigned char hp_ident[256];   /* identification line bytes */
    static unsigned char hp_letter[256];
    static signed char hp_hexval[256];
    static unsigned char hp_want[16][256]; /* find_candidate: the bytes each KIND_* mask hunts for */

    static void hp_core_init(void) {
        int byte, k;
        unsigned int a, b;
        for (byte = 0; byte < 256; byte++) {
            a = byte; b = byte;
            for (k = 0; k < 8; k++) {
                a = (a & 1) ? (a >> 1) ^ 0x8408 : a >> 1;
                b = (b & 1) ? (b >> 1) ^ 0xA001 : b >> 1;
            }
            hp_x25s[0][byte] = (unsigned short)a;
            hp_arcs[0][byte] = (unsigned short)b;
            hp_body[byte] = ((0x20 <= byte && byte < 0x7F) || byte == 0x00 || byte == 0x02 || byte == 0x09
                             || byte == 0x0A || byte == 0x0D) && byte != 0x21;
            hp_ident[byte] = (0x20 <= byte && byte < 0x7F) || byte == 0x02;
            hp_letter[byte] = (0x41 <= byte && byte <= 0x5A) || (0x61 <= byte && byte <= 0x7A);
            if (0x30 <= byte && byte <= 0x39) hp_hexval[byte] = (signed char)(byte - 0x30);
            else if (0x41 <= byte && byte <= 0x46) hp_hexval[byte] = (signed char)(byte - 0x41 + 10);
            else if (0x61 <= byte && byte <= 0x66) hp_hexval[byte] = (signed char)(byte - 0x61 + 10);
            else hp_hexval[byte] = -1;
        }
        for (k = 0; k < 16; k++) {
            for (byte = 0; byte < 256; byte++) hp_want[k][byte] = 0;
            if (k & 1) hp_want[k][0x7E] = 1;
            if (k & 2) hp_want[k][0x68] = 1;
            if (k & 4) hp_want[k][0x2F] = 1;
            if (k & 8) { hp_want[k][0x10] = 1; hp_want[k][0xE5] = 1; }
        }
        for (k = 1; k < 8; k++) {
            for (byte = 0; byte < 256; byte++) {
                a = hp_x25s[k - 1][byte];
                hp_x25s[k][byte] = (unsigned short)((a >> 8) ^ hp_x25s[0][a & 0xFF]);
                b = hp_arcs[k - 1][byte];
                hp_arcs[k][byte] = (unsigned short)((b >> 8) ^ hp_arcs[0][b & 0xFF]);
            }
        }
    }

    /* table-driven reflected CRC-16, eight bytes per step (slice-by-8) */
    static unsigned int hp_crc16(unsigned short t[8][256], unsigned int crc, const unsigned char *p, Py_ssize_t n) {
        Py_ssize_t i = 0;
        unsigned int lo;
        while (i + 8 <= n) {
            lo = crc ^ (p[i] | ((unsigned int)p[i + 1] << 8));
            crc = t[7][lo & 0xFF] ^ t[6][lo >> 8] ^ t[5][p[i + 2]] ^ t[4][p[i + 3]]
                  ^ t[3][p[i + 4]] ^ t[2][p[i + 5]] ^ t[1][p[i + 6]] ^ t[0][p[i + 7]];
            i += 8;
        }
        for (; i < n; i++) crc = (crc >> 8) ^ t[0][(crc ^ p[i]) & 0xFF];
        return crc;
    }
    """
    unsigned short hp_x25s[8][256]
    unsigned short hp_arcs[8][256]
    unsigned char hp_body[256]
    unsigned char hp_ident[256]
    unsigned char hp_letter[256]
    signed char hp_hexval[256]
    unsigned char hp_want[16][256]
    void hp_core_init() noexcept nogil
    unsigned int hp_crc16(unsigned short t[8][256], unsigned int crc, const unsigned char* p, Py_ssize_t n) noexcept nogil


cdef inline void init_tables() noexcept:
    hp_core_init()


cdef inline const unsigned char* at(const unsigned char[::1] mv, Py_ssize_t i) noexcept:
    # a zero-length view has no element 0 to take the address of
    if mv.shape[0] == 0:
        return <const unsigned char*>b""
    return &mv[0] + i


cdef inline unsigned int x25(const unsigned char[::1] mv, Py_ssize_t start, Py_ssize_t end, bint release) noexcept:
    # release: let other threads run meanwhile (worth it over a long buffer, not for one frame)
    cdef const unsigned char* p = at(mv, start)
    cdef unsigned int crc
    if release:
        with nogil:
            crc = hp_crc16(hp_x25s, 0xFFFF, p, end - start) ^ 0xFFFF
    else:
        crc = hp_crc16(hp_x25s, 0xFFFF, p, end - start) ^ 0xFFFF
    return crc


cdef inline unsigned int arc(const unsigned char[::1] mv, Py_ssize_t start, Py_ssize_t end, bint release) noexcept:
    # release: let other threads run meanwhile (worth it over a long buffer, not for one frame)
    cdef const unsigned char* p = at(mv, start)
    cdef unsigned int crc
    if release:
        with nogil:
            crc = hp_crc16(hp_arcs, 0, p, end - start)
    else:
        crc = hp_crc16(hp_arcs, 0, p, end - start)
    return crc


cdef inline unsigned int bytesum(const unsigned char[::1] mv, Py_ssize_t start, Py_ssize_t end) noexcept:
    cdef unsigned int s = 0
    cdef Py_ssize_t i
    for i in range(start, end):
        s += mv[i]
    return s & 0xFF


cdef inline Py_ssize_t find(const unsigned char[::1] mv, int value, Py_ssize_t start, Py_ssize_t end) noexcept:
    """Index of the first ``value`` in ``mv[start:end]``, or -1 (memchr)."""
    cdef const unsigned char* b = at(mv, 0)
    cdef const void* hit
    if end <= start:
        return -1
    hit = memchr(b + start, value & 0xFF, end - start)
    if hit == NULL:
        return -1
    return <const unsigned char*>hit - b


cdef inline Py_ssize_t skip_to_wanted(const unsigned char[::1] mv, Py_ssize_t i, Py_ssize_t end, int mask) noexcept:
    """The first index from ``i`` on whose byte a :func:`find_candidate` mask hunts for, or ``end``."""
    cdef const unsigned char* b = at(mv, 0)
    cdef const unsigned char* want = hp_want[mask & 15]
    while i < end and not want[b[i]]:
        i += 1
    return i


cdef inline bytes new_bytes(Py_ssize_t n):
    return PyBytes_FromStringAndSize(NULL, n)


cdef inline bytes head_bytes(const unsigned char* h, Py_ssize_t n):
    return PyBytes_FromStringAndSize(<const char*>h, n)


cdef inline void bytes_set(bytes out, Py_ssize_t i, unsigned char c) noexcept:
    (<unsigned char*>PyBytes_AS_STRING(out))[i] = c


cdef inline bytearray shrink(bytearray out, Py_ssize_t n):
    return out[:n]


cdef inline void bytearray_set(bytearray out, Py_ssize_t i, unsigned char c) noexcept:
    (<unsigned char*><char*>out)[i] = c


cdef inline int append_q(array.array a, Py_ssize_t n, long long value) except -1:
    """Store ``value`` at index ``n`` of the array('q') of ``n`` items, growing it by one."""
    array.resize_smart(a, n + 1)
    a.data.as_longlongs[n] = value
    return 0
