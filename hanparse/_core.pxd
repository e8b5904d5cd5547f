# C types for the compiled build of _core.py (Cython pure-Python mode).
#
# Buffers are typed memoryviews (bytes, bytearray and memoryview are read in
# place, never copied); the framing constants and verdicts become C ints.
# The C-only helpers (tables, slice-by-8 CRC, memchr) are in _core_c.pxd.
cimport cython

cdef int HDLC_FLAG, HDLC_ESCAPE, HDLC_MIN_LENGTH, MBUS_LONG, MBUS_SHORT, MBUS_ACK, MBUS_STOP
cdef int DSMR_IDENT_MAX, DSMR_MAX_EOL
cdef int H_OK, H_MORE, H_FILL, H_TYPE, H_SHORT, H_DST, H_SRC, H_FIT, H_ONE, H_HCS, H_CLOSE, H_FCS

cdef Py_ssize_t _range_end(Py_ssize_t n, Py_ssize_t start, Py_ssize_t end) except -1
cdef unsigned int _x25(const unsigned char[::1] data, Py_ssize_t start, Py_ssize_t end, bint release) noexcept
cdef unsigned int _arc(const unsigned char[::1] data, Py_ssize_t start, Py_ssize_t end, bint release) noexcept
cdef unsigned int _sum(const unsigned char[::1] data, Py_ssize_t start, Py_ssize_t end) noexcept

cpdef crc16_x25(const unsigned char[::1] data, Py_ssize_t start=*, Py_ssize_t end=*)
cpdef crc16_arc(const unsigned char[::1] data, Py_ssize_t start=*, Py_ssize_t end=*)
cpdef mbus_checksum(const unsigned char[::1] data, Py_ssize_t start=*, Py_ssize_t end=*)


cdef struct _HdlcFields:  # compiled stand-in of the pure-Python class _Hdlc
    Py_ssize_t need, length, dst_start, src_start, control_pos, info_start, info_end, at
    int segmented, control, f0
    long hcs
    unsigned int fcs, computed, found


@cython.locals(_k=int)
cdef Py_ssize_t _address_end(const unsigned char[::1] b, Py_ssize_t p, Py_ssize_t end) noexcept
@cython.locals(p=Py_ssize_t, header_end=Py_ssize_t, fcs_pos=Py_ssize_t, rest=Py_ssize_t, close=Py_ssize_t)
cdef int _hdlc_check(const unsigned char[::1] b, Py_ssize_t start, Py_ssize_t end, _HdlcFields* r) noexcept
@cython.locals(end=Py_ssize_t, verdict=int, r=_HdlcFields)
cpdef hdlc_parse(const unsigned char[::1] buf, Py_ssize_t start)
@cython.locals(n=Py_ssize_t, i=Py_ssize_t, b=cython.uchar, nx=cython.uchar, out=bytearray)
cpdef hdlc_unstuff(const unsigned char[::1] buf, Py_ssize_t start, Py_ssize_t end)
@cython.locals(n=Py_ssize_t, k=Py_ssize_t, i=Py_ssize_t, b=cython.uchar, out=bytearray)
cpdef hdlc_stuff(const unsigned char[::1] data)


@cython.locals(total=Py_ssize_t)
cdef int _mbus_long_check(const unsigned char[::1] buf, Py_ssize_t start, Py_ssize_t n, Py_ssize_t end) noexcept
@cython.locals(total=Py_ssize_t, cs_pos=Py_ssize_t, verdict=int, computed=cython.uint)
cdef object _mbus_long(const unsigned char[::1] buf, Py_ssize_t start, Py_ssize_t n, Py_ssize_t end)
@cython.locals(l1=Py_ssize_t, first=int, second=int)
cdef Py_ssize_t _mbus_long_frame(const unsigned char[::1] buf, Py_ssize_t start, Py_ssize_t end) noexcept
@cython.locals(end=Py_ssize_t, b=cython.uint, computed=cython.uint, l1=cython.uint, l2=cython.uint)
cpdef mbus_parse(const unsigned char[::1] buf, Py_ssize_t start)


@cython.locals(end=Py_ssize_t, i=Py_ssize_t, k=Py_ssize_t, ident_end=Py_ssize_t, body_start=Py_ssize_t,
               bang=Py_ssize_t, limit=Py_ssize_t, search_end=Py_ssize_t, pos=Py_ssize_t, consumed=Py_ssize_t,
               odd=Py_ssize_t, spliced=Py_ssize_t, digits=int, eol=int, h=int, c=cython.uint, prev=cython.uint,
               crc=long, computed=long)
cpdef dsmr_parse(const unsigned char[::1] buf, Py_ssize_t start, Py_ssize_t scan_from, Py_ssize_t max_size,
                 bint final)


@cython.locals(end=Py_ssize_t, i=Py_ssize_t, b=cython.uint)
cpdef find_candidate(const unsigned char[::1] buf, Py_ssize_t start, Py_ssize_t anchor, int mask)
cpdef frame_index(buf, int mask=*)
@cython.locals(hdlc=bint, mbus=bint, r=_HdlcFields, verdict=int, end=Py_ssize_t, i=Py_ssize_t, n=Py_ssize_t, size=Py_ssize_t,
               c=cython.uchar)
cdef tuple _frame_index(const unsigned char[::1] data, int mask)
@cython.locals(i=Py_ssize_t)
cpdef find_byte(const unsigned char[::1] buf, int value, Py_ssize_t start, Py_ssize_t end)


@cython.locals(out=bytes, m=Py_ssize_t, k=Py_ssize_t, hi=int, v=cython.schar)
cdef bytes _unhex(const unsigned char[::1] data, Py_ssize_t start, Py_ssize_t stop, Py_ssize_t ndigits)
@cython.locals(mv="const unsigned char[::1]", n=Py_ssize_t, in_tel=Py_ssize_t, dropped=Py_ssize_t,
               hlen=Py_ssize_t, ncarried=Py_ssize_t, ndig=Py_ssize_t, ntext=Py_ssize_t, ntext_carried=Py_ssize_t,
               i=Py_ssize_t, k=Py_ssize_t, stop=Py_ssize_t, line_start=Py_ssize_t, hit=Py_ssize_t,
               hex_ok=bint, text_ok=bint, emit=bint, is_text=bint, head0=bytes, carried=bytearray,
               text_carried=bytearray, c=cython.uchar, decoded=bytes, out=list)
cdef list _hex_lines_loop(chunk, list state, Py_ssize_t cap, Py_ssize_t max_lines, bint final)
