// isolate/v8/buffer.cc — Buffer's string conversions on V8's own string API
// (namespace "buffer"): the UTF-8 length of a string, a string written into
// a Uint8Array's bytes, and bytes read back as a string, for the encodings
// Node implements natively (utf8, latin1, ascii, utf16le, hex, base64,
// base64url, both ways). The npm `buffer` package does these in JS, one code
// point at a time: 10-30x slower than Node on every socket write, file read
// and header, the hot path of every server.
//
// Arguments are checked in JS (js/node/buffer.js) and again here: a view
// that is not a Uint8Array, or a range outside it, returns 0 / "" rather
// than touching memory (a guest may call the bound functions only through
// Buffer's methods, but the check costs nothing). Decoding follows Node:
// invalid UTF-8 becomes U+FFFD per maximal subpart (V8's decoder does what
// Node's calls of it do), a lone surrogate is written as EF BF BD, ascii is
// latin1 with the high bit cleared, utf16le takes whole code units.

#include <cstdlib>
#include <cstring>

#include "internal.h"

using namespace v8;

namespace
{

enum enc_t { ENC_UTF8 = 0, ENC_LATIN1, ENC_ASCII, ENC_UTF16LE, ENC_HEX, ENC_BASE64, ENC_BASE64URL };

// The bytes of info[0] (a Uint8Array) from start to end, clamped; false if
// it is not one or the range is empty after clamping.
bool view_range(const FunctionCallbackInfo<Value> &info, int si, int ei, uint8_t **p, size_t *n)
{
    if (!info[0]->IsUint8Array())
        return false;
    Local<Uint8Array> v = info[0].As<Uint8Array>();
    size_t len = v->ByteLength();
    double s = info[si]->IsNumber() ? info[si].As<Number>()->Value() : 0;
    double e = info[ei]->IsNumber() ? info[ei].As<Number>()->Value() : static_cast<double>(len);
    if (!(s >= 0))
        s = 0;
    if (!(e <= static_cast<double>(len)))
        e = static_cast<double>(len);
    if (!(e > s))
        return false;
    uint8_t *base = static_cast<uint8_t *>(v->Buffer()->Data());
    if (!base)
        return false;
    *p = base + v->ByteOffset() + static_cast<size_t>(s);
    *n = static_cast<size_t>(e) - static_cast<size_t>(s);
    return true;
}

void ret_empty(const FunctionCallbackInfo<Value> &info)
{
    info.GetReturnValue().SetEmptyString();
}

// byteLengthUtf8(string) -> bytes its UTF-8 form takes (a lone surrogate 3).
void byte_length_utf8(vm_call_t *c)
{
    const auto &info = vm__info(c);
    if (!info[0]->IsString())
        return;
    info.GetReturnValue().Set(info[0].As<String>()->Utf8Length(info.GetIsolate()));
}

// ---- hex and base64 from text, as Node decodes them ----------------------

// A string's code units read forward a chunk at a time (no copy of the
// whole string, which may be hundreds of MB). Node's decoders look at a
// unit's low byte only: "\u0130" is read as '0'.
class Units
{
  public:
    Units(Isolate *iso, Local<String> s) : iso_(iso), s_(s), len_(static_cast<size_t>(s->Length()))
    {
    }
    size_t size() const
    {
        return len_;
    }
    uint8_t at(size_t i)
    {
        if (i < base_ || i >= base_ + n_) {
            size_t want = len_ - i < kChunk ? len_ - i : kChunk;
            int got = s_->Write(iso_, buf_, static_cast<int>(i), static_cast<int>(want),
                                String::NO_NULL_TERMINATION);
            base_ = i;
            n_ = got > 0 ? static_cast<size_t>(got) : 0;
            if (n_ == 0)
                return 0xff;
        }
        return static_cast<uint8_t>(buf_[i - base_]);
    }

  private:
    static const size_t kChunk = 2048;
    Isolate *iso_;
    Local<String> s_;
    size_t len_, base_ = 0, n_ = 0;
    uint16_t buf_[kChunk];
};

int unhex(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Pairs of hex digits up to the first pair that is not one (an odd last
// digit is dropped): bytes written.
size_t hex_decode(Units &u, uint8_t *dst, size_t cap)
{
    size_t i = 0;
    for (; i < cap && 2 * i + 1 < u.size(); i++) {
        int a = unhex(u.at(2 * i)), b = unhex(u.at(2 * i + 1));
        if (a < 0 || b < 0)
            break;
        dst[i] = static_cast<uint8_t>(a << 4 | b);
    }
    return i;
}

// Both alphabets ('+' and '-' are 62, '/' and '_' 63); 0xff for any other
// byte (its high bit marks a group that needs the slow way).
uint8_t unbase64(uint8_t c)
{
    if (c >= 'A' && c <= 'Z')
        return static_cast<uint8_t>(c - 'A');
    if (c >= 'a' && c <= 'z')
        return static_cast<uint8_t>(c - 'a' + 26);
    if (c >= '0' && c <= '9')
        return static_cast<uint8_t>(c - '0' + 52);
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return 0xff;
}

// The bytes a text decodes to at most: its length less one or two
// trailing '=', three bytes per four characters, a partial group's.
size_t base64_size(Units &u)
{
    size_t n = u.size();
    if (n < 2)
        return 0;
    if (u.at(n - 1) == '=') {
        n--;
        if (u.at(n - 1) == '=')
            n--;
    }
    size_t out = n / 4 * 3, rem = n % 4;
    if (rem && !(out == 0 && rem == 1))
        out += 1 + (rem == 3);
    return out;
}

// One group of four characters the slow way: characters outside the
// alphabet are skipped, '=' or the text's end stops the decoding. False
// when decoding stops (at *i, with *k bytes written).
bool base64_group_slow(Units &u, uint8_t *dst, size_t cap, size_t *i, size_t *k)
{
    uint8_t hi = 0;
    for (int step = 0; step < 4; step++) {
        uint8_t lo;
        for (;;) {
            uint8_t c = u.at(*i);
            lo = unbase64(c);
            *i += 1;
            if (lo < 64)
                break;
            if (c == '=' || *i >= u.size())
                return false;
        }
        if (step == 1)
            dst[(*k)++] = static_cast<uint8_t>((hi & 0x3f) << 2 | (lo & 0x30) >> 4);
        else if (step == 2)
            dst[(*k)++] = static_cast<uint8_t>((hi & 0x0f) << 4 | (lo & 0x3c) >> 2);
        else if (step == 3)
            dst[(*k)++] = static_cast<uint8_t>((hi & 0x03) << 6 | lo);
        if (*i >= u.size() || *k >= cap)
            return false;
        hi = lo;
    }
    return true;
}

// Node's forgiving decoder (either alphabet, anything else skipped, '='
// ends it): whole groups quickly while they are clean, the rest one
// character at a time. Bytes written.
size_t base64_decode(Units &u, uint8_t *dst, size_t cap)
{
    size_t size = base64_size(u);
    size_t avail = cap < size ? cap : size;
    size_t max_k = avail / 3 * 3, max_i = u.size() / 4 * 4;
    size_t i = 0, k = 0;
    while (i < max_i && k < max_k) {
        uint8_t a = unbase64(u.at(i)), b = unbase64(u.at(i + 1)), c = unbase64(u.at(i + 2)),
                d = unbase64(u.at(i + 3));
        if ((a | b | c | d) & 0x80) {
            if (!base64_group_slow(u, dst, cap, &i, &k))
                return k;
            max_i = i + (u.size() - i) / 4 * 4;
        } else {
            dst[k] = static_cast<uint8_t>(a << 2 | b >> 4);
            dst[k + 1] = static_cast<uint8_t>((b & 0x0f) << 4 | c >> 2);
            dst[k + 2] = static_cast<uint8_t>((c & 0x03) << 6 | d);
            i += 4;
            k += 3;
        }
    }
    if (i < u.size() && k < cap)
        base64_group_slow(u, dst, cap, &i, &k);
    return k;
}

// write(view, string, offset, length, enc) -> bytes written: at most length
// bytes from offset, never a partial UTF-8 sequence or UTF-16 unit; hex and
// base64 decoded as Node decodes them.
void write(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Isolate *iso = info.GetIsolate();
    info.GetReturnValue().Set(0);
    if (!info[1]->IsString() || !info[2]->IsNumber() || !info[3]->IsNumber() || !info[4]->IsInt32())
        return;
    if (!info[0]->IsUint8Array())
        return;
    Local<Uint8Array> v = info[0].As<Uint8Array>();
    Local<String> str = info[1].As<String>();
    size_t len = v->ByteLength();
    double off = info[2].As<Number>()->Value(), max = info[3].As<Number>()->Value();
    if (!(off >= 0) || off > static_cast<double>(len) || !(max > 0))
        return;
    size_t room = len - static_cast<size_t>(off);
    if (max < static_cast<double>(room))
        room = static_cast<size_t>(max);
    if (room > INT32_MAX)
        room = INT32_MAX;
    uint8_t *base = static_cast<uint8_t *>(v->Buffer()->Data());
    if (!base || room == 0)
        return;
    uint8_t *p = base + v->ByteOffset() + static_cast<size_t>(off);
    int cap = static_cast<int>(room), wrote = 0;
    switch (info[4].As<Int32>()->Value()) {
    case ENC_UTF8:
        wrote = str->WriteUtf8(iso, reinterpret_cast<char *>(p), cap, nullptr,
                               String::NO_NULL_TERMINATION | String::REPLACE_INVALID_UTF8);
        break;
    case ENC_LATIN1:
    case ENC_ASCII:
        wrote = str->WriteOneByte(iso, p, 0, cap, String::NO_NULL_TERMINATION);
        break;
    case ENC_UTF16LE: {
        // Whole units only; through an aligned bounce buffer (the view's
        // offset may be odd), little-endian as x86 stores them.
        int units = cap / 2, done = 0;
        uint16_t tmp[1024];
        while (done < units && done < str->Length()) {
            int want = units - done < 1024 ? units - done : 1024;
            int got = str->Write(iso, tmp, done, want, String::NO_NULL_TERMINATION);
            if (got <= 0)
                break;
            memcpy(p + 2 * static_cast<size_t>(done), tmp, 2 * static_cast<size_t>(got));
            done += got;
        }
        wrote = done * 2;
        break;
    }
    case ENC_HEX: {
        Units u(iso, str);
        wrote = static_cast<int>(hex_decode(u, p, room));
        break;
    }
    case ENC_BASE64:
    case ENC_BASE64URL: {
        Units u(iso, str);
        wrote = static_cast<int>(base64_decode(u, p, room));
        break;
    }
    default:
        return;
    }
    info.GetReturnValue().Set(wrote);
}

const char hex_digits[] = "0123456789abcdef";
const char b64_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const char b64_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Encodes n bytes as hex or base64 into a malloc'd one-byte text (counted
// in the budget while it lives); the string is a copy on V8's heap.
void encode_text(const FunctionCallbackInfo<Value> &info, vm_call_t *c, const uint8_t *p, size_t n,
                 int enc)
{
    Isolate *iso = info.GetIsolate();
    size_t out_len;
    if (enc == ENC_HEX)
        out_len = 2 * n;
    else if (enc == ENC_BASE64)
        out_len = (n + 2) / 3 * 4;
    else
        out_len = n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
    if (out_len > static_cast<size_t>(String::kMaxLength)) {
        vm_throwf(c, "Error", "ERR_STRING_TOO_LONG",
                  "Cannot create a string longer than 0x%x characters", String::kMaxLength);
        return;
    }
    vm_t *vm = vm_call_vm(c);
    if (!vm_reserve(vm, out_len)) {
        vm_throw_alloc_failed(c);
        return;
    }
    uint8_t *out = static_cast<uint8_t *>(malloc(out_len ? out_len : 1));
    if (!out) {
        vm_release(vm, out_len);
        vm_throw_alloc_failed(c);
        return;
    }
    uint8_t *o = out;
    if (enc == ENC_HEX) {
        for (size_t i = 0; i < n; i++) {
            *o++ = static_cast<uint8_t>(hex_digits[p[i] >> 4]);
            *o++ = static_cast<uint8_t>(hex_digits[p[i] & 15]);
        }
    } else {
        const char *a = enc == ENC_BASE64 ? b64_std : b64_url;
        size_t i = 0;
        for (; i + 3 <= n; i += 3) {
            uint32_t w = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
            *o++ = static_cast<uint8_t>(a[w >> 18]);
            *o++ = static_cast<uint8_t>(a[(w >> 12) & 63]);
            *o++ = static_cast<uint8_t>(a[(w >> 6) & 63]);
            *o++ = static_cast<uint8_t>(a[w & 63]);
        }
        if (n - i == 1) {
            *o++ = static_cast<uint8_t>(a[p[i] >> 2]);
            *o++ = static_cast<uint8_t>(a[(p[i] & 3) << 4]);
            if (enc == ENC_BASE64) {
                *o++ = '=';
                *o++ = '=';
            }
        } else if (n - i == 2) {
            uint32_t w = (uint32_t)p[i] << 8 | p[i + 1];
            *o++ = static_cast<uint8_t>(a[w >> 10]);
            *o++ = static_cast<uint8_t>(a[(w >> 4) & 63]);
            *o++ = static_cast<uint8_t>(a[(w & 15) << 2]);
            if (enc == ENC_BASE64)
                *o++ = '=';
        }
    }
    Local<String> s;
    if (String::NewFromOneByte(iso, out, NewStringType::kNormal, static_cast<int>(out_len))
            .ToLocal(&s))
        info.GetReturnValue().Set(s);
    free(out);
    vm_release(vm, out_len);
}

// slice(view, start, end, enc) -> the bytes [start, end) as a string.
void slice(vm_call_t *c)
{
    const auto &info = vm__info(c);
    Isolate *iso = info.GetIsolate();
    uint8_t *p;
    size_t n;
    if (!info[3]->IsInt32() || !view_range(info, 1, 2, &p, &n)) {
        ret_empty(info);
        return;
    }
    int enc = info[3].As<Int32>()->Value();
    if (enc >= ENC_HEX) {
        encode_text(info, c, p, n, enc);
        return;
    }
    if (n > static_cast<size_t>(String::kMaxLength) * (enc == ENC_UTF16LE ? 2 : 1)) {
        vm_throwf(c, "Error", "ERR_STRING_TOO_LONG",
                  "Cannot create a string longer than 0x%x characters", String::kMaxLength);
        return;
    }
    MaybeLocal<String> out;
    int len = static_cast<int>(enc == ENC_UTF16LE ? n / 2 : n);
    switch (enc) {
    case ENC_UTF8:
        out = String::NewFromUtf8(iso, reinterpret_cast<const char *>(p), NewStringType::kNormal,
                                  len);
        break;
    case ENC_LATIN1:
        out = String::NewFromOneByte(iso, p, NewStringType::kNormal, len);
        break;
    case ENC_ASCII:
    case ENC_UTF16LE: {
        // A copy: ascii clears each high bit; utf16le needs aligned units.
        size_t bytes = enc == ENC_ASCII ? n : 2 * static_cast<size_t>(len);
        if (enc == ENC_ASCII) {
            size_t i = 0;
            while (i < n && p[i] < 0x80)
                i++;
            if (i == n) {
                out = String::NewFromOneByte(iso, p, NewStringType::kNormal, len);
                break;
            }
        }
        vm_t *vm = vm_call_vm(c);
        if (!vm_reserve(vm, bytes)) {
            vm_throw_alloc_failed(c);
            return;
        }
        void *tmp = malloc(bytes ? bytes : 1);
        if (!tmp) {
            vm_release(vm, bytes);
            vm_throw_alloc_failed(c);
            return;
        }
        if (enc == ENC_ASCII) {
            uint8_t *t = static_cast<uint8_t *>(tmp);
            for (size_t i = 0; i < n; i++)
                t[i] = p[i] & 0x7f;
            out = String::NewFromOneByte(iso, t, NewStringType::kNormal, len);
        } else {
            memcpy(tmp, p, bytes);
            out = String::NewFromTwoByte(iso, static_cast<uint16_t *>(tmp), NewStringType::kNormal,
                                         len);
        }
        free(tmp);
        vm_release(vm, bytes);
        break;
    }
    default:
        ret_empty(info);
        return;
    }
    Local<String> s;
    if (out.ToLocal(&s))
        info.GetReturnValue().Set(s);
}

const vm_native_t buffer_natives[] = {
    {"byteLengthUtf8", byte_length_utf8, 1, VM_NATIVE_PURE},
    {"write", write, 5, VM_NATIVE_PURE},
    {"slice", slice, 4, VM_NATIVE_PURE},
};

} // namespace

extern "C" const vm_table_t vm_buffer_table = {"buffer", buffer_natives,
                                               sizeof buffer_natives / sizeof buffer_natives[0]};
