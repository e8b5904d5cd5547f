# C types for the compiled build of _dsmr.py (Cython pure-Python mode).
#
# The body of a telegram is walked as a ``const unsigned char*`` into the
# bytes object (``p = data``: no copy); offsets are Py_ssize_t, kinds and
# fast codes C ints.  Readings are filled slot by slot through the
# SlotLayout of the Reading class (_slots_c.pxd), kept in ``_slots``.  The
# C-only helpers (memchr, numbers read in place, byte-keyed tables) are in
# _dsmr_c.pxd.
cimport cython
from hanparse._slots_c cimport SlotLayout

cdef SlotLayout _slots
cdef object _MISSING
cdef dict _lines
cdef object _ids_owner
cdef Py_ssize_t _LINE_MAX, _LINES_MAX

cdef bint _is_sep(unsigned char c) noexcept
cdef str _latin1(const unsigned char* p, Py_ssize_t a, Py_ssize_t b)
@cython.locals(i=Py_ssize_t, j=Py_ssize_t, k=Py_ssize_t, c=cython.uchar)
cdef int _kind(const unsigned char* p, Py_ssize_t a, Py_ssize_t b) noexcept
@cython.locals(raw=bytes)
cpdef int value_kind(str text) except? -1
@cython.locals(dotted=str)
cpdef number(str text, int kind)
cdef Py_ssize_t _find(const unsigned char* p, int c, Py_ssize_t a, Py_ssize_t b) noexcept

cdef object _check(object data, Py_ssize_t start, Py_ssize_t stop)
@cython.locals(id_start=Py_ssize_t, c=cython.uchar)
cdef Py_ssize_t _id_end(const unsigned char* p, Py_ssize_t pos, Py_ssize_t stop) except -1
@cython.locals(i=Py_ssize_t, c=cython.uchar)
cdef Py_ssize_t _group_end(const unsigned char* p, Py_ssize_t pos, Py_ssize_t stop) except -1
@cython.locals(close=Py_ssize_t, star=Py_ssize_t)
cdef Py_ssize_t _group(const unsigned char* p, Py_ssize_t pos, Py_ssize_t stop, list acc) except -1
@cython.locals(star=Py_ssize_t)
cdef tuple _single(const unsigned char* p, str ident, Py_ssize_t pos, Py_ssize_t close)
@cython.locals(p="const unsigned char*", out=list, line=list, pos=Py_ssize_t, id_start=Py_ssize_t, end=Py_ssize_t,
               last=Py_ssize_t, ident=str, c=cython.uchar)
cpdef list tokenize(object data, Py_ssize_t start, Py_ssize_t stop)

cdef SlotLayout* _layout(object cls) except NULL
cdef object _reading(SlotLayout* R, object a0, object a1, object a2, object a3, object a4, object a5,
                            object a6)
@cython.locals(decoded=object)
cdef object _text_reading(SlotLayout* R, tuple e, int fast, str text, object unit, dict hex_texts)
cdef int _note_role(Py_ssize_t role, object r, Py_ssize_t i, Py_ssize_t* found) except -1
@cython.locals(R="SlotLayout*", out=list, found="Py_ssize_t[3]", i=Py_ssize_t, fast=int, t=tuple, e=tuple, r=object,
               kind=object, unit=object)
cpdef make_readings(list lines, dict entries, object entry_for, object ts, bint strict, object cls, dict hex_texts)
cpdef parse_lines(object data, Py_ssize_t start, Py_ssize_t stop, dict entries, object entry_for, object ts,
                  dict ts_cache, bint strict, object cls, dict hex_texts)

@cython.locals(hit=tuple)
cdef tuple _tst(str text, dict cache, object ts)
@cython.locals(star=Py_ssize_t, kind=int, unit=object, value=object, text=str, hit=tuple)
cdef object _one_group(SlotLayout* R, tuple e, int fast, const unsigned char* p, Py_ssize_t pos, Py_ssize_t close,
                       object ts, dict ts_cache, dict hex_texts)
@cython.locals(n=Py_ssize_t, i=Py_ssize_t, units=int, unit=object, values=list, raws=list, v=str, u=str, k=object,
               value=object, hit=tuple)
cdef object _groups(SlotLayout* R, tuple e, int fast, tuple t, object ts, dict ts_cache)
@cython.locals(p="const unsigned char*", R="SlotLayout*", out=list, line=list, pos=Py_ssize_t, id_start=Py_ssize_t,
               id_end=Py_ssize_t, end=Py_ssize_t, nxt=Py_ssize_t, q=Py_ssize_t, found="Py_ssize_t[3]",
               i=Py_ssize_t, fast=int, single=bint, c=cython.uchar, e=tuple,
               t=tuple, ident=object, ckey=object, r=object)
cdef tuple _parse_lines_pass(object data, Py_ssize_t start, Py_ssize_t stop, dict entries, object entry_for,
                             object ts, dict ts_cache, bint strict, object cls, dict hex_texts)

cdef Py_ssize_t _line_end(const unsigned char* p, Py_ssize_t pos, Py_ssize_t n) noexcept
cdef int _hexval(unsigned char c) noexcept
cdef bint _ascii_alpha(unsigned char c) noexcept
@cython.locals(p="const unsigned char*", n=Py_ssize_t, start=Py_ssize_t, i=Py_ssize_t, header_end=Py_ssize_t,
               bang=Py_ssize_t, he=Py_ssize_t, eol=Py_ssize_t, a=Py_ssize_t, b=Py_ssize_t, k=Py_ssize_t,
               end=Py_ssize_t, crc=int, d=int, c=cython.uchar, header=str, crc_value=object)
cpdef tuple frame(object buf)
@cython.locals(n=Py_ssize_t, code=int, i=int, c=cython.Py_UCS4, digits="long long", hour="long long")
cpdef split_tst(str text)
