/* hal elementwise operations, one DEVICE_FN per (op, dtype kind).
 *
 * Compiled with the template defines of one instance:
 *   T, T_KIND_{B,I,U,F,C}   the loop dtype (what the inputs are cast to)
 *   TU                      for integers: the unsigned type of T's width
 *   T_BITS                  for integers: the width of T
 *   T_REAL                  the real type of T's precision (T itself if real)
 * Each op_<name> returns its natural type: T, hal_bool for comparisons and
 * predicates, T_REAL for abs/real/imag of complex numbers.
 * Semantics follow NumPy (the reference backend): integers wrap, integer division by
 * zero gives 0, floor_divide and remainder follow Python's signs, shifts past the
 * width give 0 (or -1 for negative signed values shifted right).
 */

/* ------------------------------------------------------------------ bool */
#if defined(T_KIND_B)
DEVICE_FN hal_bool op_logical_not(T a) { return !a; }
DEVICE_FN hal_bool op_bitwise_invert(T a) { return !a; }
DEVICE_FN hal_bool op_logical_and(T a, T b) { return a && b; }
DEVICE_FN hal_bool op_logical_or(T a, T b) { return a || b; }
DEVICE_FN hal_bool op_logical_xor(T a, T b) { return (a != 0) != (b != 0); }
DEVICE_FN hal_bool op_bitwise_and(T a, T b) { return a && b; }
DEVICE_FN hal_bool op_bitwise_or(T a, T b) { return a || b; }
DEVICE_FN hal_bool op_bitwise_xor(T a, T b) { return (a != 0) != (b != 0); }
DEVICE_FN hal_bool op_equal(T a, T b) { return (a != 0) == (b != 0); }
DEVICE_FN hal_bool op_not_equal(T a, T b) { return (a != 0) != (b != 0); }
DEVICE_FN hal_bool op_less(T a, T b) { return (a != 0) < (b != 0); }
DEVICE_FN hal_bool op_less_equal(T a, T b) { return (a != 0) <= (b != 0); }
DEVICE_FN hal_bool op_greater(T a, T b) { return (a != 0) > (b != 0); }
DEVICE_FN hal_bool op_greater_equal(T a, T b) { return (a != 0) >= (b != 0); }
#endif

/* ---------------------------------------------------- integers (signed, unsigned) */
#if defined(T_KIND_I) || defined(T_KIND_U)
#if defined(T_KIND_I)
#define HAL_NEG(a) ((a) < 0)
#else
#define HAL_NEG(a) 0
#endif
/* wrap-around arithmetic through the unsigned type (signed overflow is undefined in C) */
DEVICE_FN T op_add(T a, T b) { return (T)((TU)a + (TU)b); }
DEVICE_FN T op_subtract(T a, T b) { return (T)((TU)a - (TU)b); }
DEVICE_FN T op_multiply(T a, T b) { return (T)((TU)a * (TU)b); }
DEVICE_FN T op_negative(T a) { return (T)(-(TU)a); }
DEVICE_FN T op_positive(T a) { return a; }
DEVICE_FN T op_square(T a) { return (T)((TU)a * (TU)a); }
DEVICE_FN T op_abs(T a) { return HAL_NEG(a) ? (T)(-(TU)a) : a; }
DEVICE_FN T op_sign(T a) { return (T)((a > 0) - HAL_NEG(a)); }
DEVICE_FN T op_ceil(T a) { return a; }
DEVICE_FN T op_floor(T a) { return a; }
DEVICE_FN T op_trunc(T a) { return a; }
DEVICE_FN T op_round(T a) { return a; }
DEVICE_FN T op_conj(T a) { return a; }
DEVICE_FN T op_real(T a) { return a; }
DEVICE_FN T op_imag(T a) { return 0; }
DEVICE_FN hal_bool op_isnan(T a) { return 0; }
DEVICE_FN hal_bool op_isinf(T a) { return 0; }
DEVICE_FN hal_bool op_isfinite(T a) { return 1; }
DEVICE_FN T op_bitwise_invert(T a) { return (T)(~a); }
DEVICE_FN T op_bitwise_and(T a, T b) { return a & b; }
DEVICE_FN T op_bitwise_or(T a, T b) { return a | b; }
DEVICE_FN T op_bitwise_xor(T a, T b) { return a ^ b; }
DEVICE_FN T op_bitwise_left_shift(T a, T b) {
    return (HAL_NEG(b) || b >= T_BITS) ? (T)0 : (T)((TU)a << b);
}
DEVICE_FN T op_bitwise_right_shift(T a, T b) {
    if (HAL_NEG(b) || b >= T_BITS) {
        return HAL_NEG(a) ? (T)-1 : (T)0;
    }
    return (T)(a >> b);
}
DEVICE_FN T op_floor_divide(T a, T b) {
    if (b == 0) return 0;
#if defined(T_KIND_I)
    if (b == -1) return (T)(-(TU)a);  /* MIN / -1 wraps, as in NumPy */
    T q = a / b;
    return ((a % b) != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
#else
    return a / b;
#endif
}
DEVICE_FN T op_remainder(T a, T b) {
    if (b == 0) return 0;
#if defined(T_KIND_I)
    if (b == -1) return 0;
    T r = a % b;
    return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
#else
    return a % b;
#endif
}
DEVICE_FN T op_pow(T a, T b) {
    if (HAL_NEG(b)) {
        /* NumPy refuses negative integer powers; hal gives the exact answer where
           one exists (1 and -1 bases) and 0 otherwise */
        return a == 1 ? 1 : (a == (T)-1 ? ((b & 1) ? (T)-1 : 1) : 0);
    }
    TU result = 1, base = (TU)a;
    T e = b;
    while (e) {
        if (e & 1) result *= base;
        base *= base;
        e >>= 1;
    }
    return (T)result;
}
DEVICE_FN T op_maximum(T a, T b) { return a > b ? a : b; }
DEVICE_FN T op_minimum(T a, T b) { return a < b ? a : b; }
DEVICE_FN hal_bool op_equal(T a, T b) { return a == b; }
DEVICE_FN hal_bool op_not_equal(T a, T b) { return a != b; }
DEVICE_FN hal_bool op_less(T a, T b) { return a < b; }
DEVICE_FN hal_bool op_less_equal(T a, T b) { return a <= b; }
DEVICE_FN hal_bool op_greater(T a, T b) { return a > b; }
DEVICE_FN hal_bool op_greater_equal(T a, T b) { return a >= b; }
#endif

/* --------------------------------------------------------------- real floating */
#if defined(T_KIND_F)
DEVICE_FN T op_add(T a, T b) { return a + b; }
DEVICE_FN T op_subtract(T a, T b) { return a - b; }
DEVICE_FN T op_multiply(T a, T b) { return a * b; }
DEVICE_FN T op_divide(T a, T b) { return a / b; }
DEVICE_FN T op_negative(T a) { return -a; }
DEVICE_FN T op_positive(T a) { return a; }
DEVICE_FN T op_square(T a) { return a * a; }
DEVICE_FN T op_reciprocal(T a) { return (T)1 / a; }
DEVICE_FN T op_abs(T a) { return fabs(a); }
DEVICE_FN T op_sign(T a) {
    return hal_isnan(a) ? a : (a > 0 ? (T)1 : (a < 0 ? (T)-1 : (T)0));
}
DEVICE_FN T op_ceil(T a) { return ceil(a); }
DEVICE_FN T op_floor(T a) { return floor(a); }
DEVICE_FN T op_trunc(T a) { return trunc(a); }
DEVICE_FN T op_round(T a) { return rint(a); }   /* half to even, as the standard says */
DEVICE_FN T op_conj(T a) { return a; }
DEVICE_FN T op_real(T a) { return a; }
DEVICE_FN T op_imag(T a) { return (T)0; }
DEVICE_FN hal_bool op_isnan(T a) { return hal_isnan(a) ? 1 : 0; }
DEVICE_FN hal_bool op_isinf(T a) { return hal_isinf(a) ? 1 : 0; }
DEVICE_FN hal_bool op_isfinite(T a) { return hal_isfinite(a) ? 1 : 0; }
DEVICE_FN hal_bool op_signbit(T a) { return hal_signbit(a) ? 1 : 0; }
DEVICE_FN T op_acos(T a) { return acos(a); }
DEVICE_FN T op_acosh(T a) { return acosh(a); }
DEVICE_FN T op_asin(T a) { return asin(a); }
DEVICE_FN T op_asinh(T a) { return asinh(a); }
DEVICE_FN T op_atan(T a) { return atan(a); }
DEVICE_FN T op_atanh(T a) { return atanh(a); }
DEVICE_FN T op_cos(T a) { return cos(a); }
DEVICE_FN T op_cosh(T a) { return cosh(a); }
DEVICE_FN T op_exp(T a) { return exp(a); }
DEVICE_FN T op_expm1(T a) { return expm1(a); }
DEVICE_FN T op_log(T a) { return log(a); }
DEVICE_FN T op_log1p(T a) { return log1p(a); }
DEVICE_FN T op_log2(T a) { return log2(a); }
DEVICE_FN T op_log10(T a) { return log10(a); }
DEVICE_FN T op_sin(T a) { return sin(a); }
DEVICE_FN T op_sinh(T a) { return sinh(a); }
DEVICE_FN T op_sqrt(T a) { return sqrt(a); }
DEVICE_FN T op_tan(T a) { return tan(a); }
DEVICE_FN T op_tanh(T a) { return tanh(a); }
DEVICE_FN T op_atan2(T a, T b) { return atan2(a, b); }
DEVICE_FN T op_hypot(T a, T b) { return hypot(a, b); }
DEVICE_FN T op_copysign(T a, T b) { return hal_copysign(a, b); }
DEVICE_FN T op_nextafter(T a, T b) { return hal_nextafter(a, b); }
DEVICE_FN T op_pow(T a, T b) { return pow(a, b); }
DEVICE_FN T op_logaddexp(T a, T b) {
    if (a == b) return a + (T)0.6931471805599453;   /* also right for +-inf */
    T m = a > b ? a : b;
    return hal_isnan(a) || hal_isnan(b) ? a + b : m + log1p(exp(-fabs(a - b)));
}
/* NumPy's maximum/minimum propagate NaN (fmax/fmin would drop it); (T)(a + b): on
   CUDA/HIP float16 arithmetic gives float, and both arms of ?: need one type */
DEVICE_FN T op_maximum(T a, T b) { return hal_isnan(a) || hal_isnan(b) ? (T)(a + b) : (a > b ? a : b); }
DEVICE_FN T op_minimum(T a, T b) { return hal_isnan(a) || hal_isnan(b) ? (T)(a + b) : (a < b ? a : b); }
DEVICE_FN T op_floor_divide(T a, T b) {
    /* NumPy's npy_floor_divide: floor of the true quotient, corrected by fmod */
    if (b == 0) return a / b;
    T mod = fmod(a, b);
    T div = (a - mod) / b;
    if (mod != 0 && ((b < 0) != (mod < 0))) div -= (T)1;
    T floordiv = floor(div);
    if (div - floordiv > (T)0.5) floordiv += (T)1;
    return (div == 0) ? (T)hal_copysign((T)0, a / b) : floordiv;
}
DEVICE_FN T op_remainder(T a, T b) {
    if (b == 0) return fmod(a, b);
    T mod = fmod(a, b);
    if (mod != 0) {
        if ((b < 0) != (mod < 0)) mod += b;
    } else {
        mod = hal_copysign((T)0, b);
    }
    return mod;
}
DEVICE_FN hal_bool op_equal(T a, T b) { return a == b; }
DEVICE_FN hal_bool op_not_equal(T a, T b) { return a != b; }
DEVICE_FN hal_bool op_less(T a, T b) { return a < b; }
DEVICE_FN hal_bool op_less_equal(T a, T b) { return a <= b; }
DEVICE_FN hal_bool op_greater(T a, T b) { return a > b; }
DEVICE_FN hal_bool op_greater_equal(T a, T b) { return a >= b; }
#endif

/* ------------------------------------------------------------ complex floating */
#if defined(T_KIND_C)
#define RE(z) ((z).x)
#define IM(z) ((z).y)
DEVICE_FN T c_make(T_REAL re, T_REAL im) { T z; z.x = re; z.y = im; return z; }
DEVICE_FN T c_mul(T a, T b) { return c_make(RE(a) * RE(b) - IM(a) * IM(b), RE(a) * IM(b) + IM(a) * RE(b)); }
DEVICE_FN T c_div(T a, T b) {
    /* Smith's algorithm: no overflow for large |b| */
    T_REAL r, d;
    if (fabs(RE(b)) >= fabs(IM(b))) {
        if (RE(b) == 0 && IM(b) == 0) return c_make(RE(a) / fabs(RE(b)), IM(a) / fabs(RE(b)));
        r = IM(b) / RE(b);
        d = RE(b) + IM(b) * r;
        return c_make((RE(a) + IM(a) * r) / d, (IM(a) - RE(a) * r) / d);
    }
    r = RE(b) / IM(b);
    d = RE(b) * r + IM(b);
    return c_make((RE(a) * r + IM(a)) / d, (IM(a) * r - RE(a)) / d);
}
DEVICE_FN T_REAL c_abs(T a) { return hypot(RE(a), IM(a)); }
DEVICE_FN T c_exp(T a) {
    T_REAL e = exp(RE(a));
    if (IM(a) == 0) return c_make(e, IM(a));
    return c_make(e * cos(IM(a)), e * sin(IM(a)));
}
DEVICE_FN T c_log(T a) { return c_make(log(c_abs(a)), atan2(IM(a), RE(a))); }
DEVICE_FN T c_sqrt(T a) {
    T_REAL x = RE(a), y = IM(a);
    if (x == 0 && y == 0) return c_make((T_REAL)0, y);
    if (hal_isinf(y)) return c_make((T_REAL)INFINITY, y);
    T_REAL t = sqrt((fabs(x) + c_abs(a)) * (T_REAL)0.5);
    if (x >= 0) return c_make(t, y / (2 * t));
    return c_make(fabs(y) / (2 * t), hal_copysign(t, y));
}
DEVICE_FN T c_sinh(T a) { return c_make(sinh(RE(a)) * cos(IM(a)), cosh(RE(a)) * sin(IM(a))); }
DEVICE_FN T c_cosh(T a) { return c_make(cosh(RE(a)) * cos(IM(a)), sinh(RE(a)) * sin(IM(a))); }
DEVICE_FN T c_tanh(T a) {
    /* tanh(x+iy) = (sinh 2x + i sin 2y) / (cosh 2x + cos 2y), stable for large |x| */
    T_REAL x2 = 2 * RE(a), y2 = 2 * IM(a);
    if (fabs(RE(a)) > (T_REAL)20) return c_make(hal_copysign((T_REAL)1, RE(a)), (T_REAL)0 * sin(y2));
    T_REAL d = cosh(x2) + cos(y2);
    return c_make(sinh(x2) / d, sin(y2) / d);
}
DEVICE_FN T c_mul_i(T a) { return c_make(-IM(a), RE(a)); }      /* i*a */
DEVICE_FN T c_mul_minus_i(T a) { return c_make(IM(a), -RE(a)); } /* -i*a */
DEVICE_FN T c_sin(T a) { return c_mul_minus_i(c_sinh(c_mul_i(a))); }
DEVICE_FN T c_cos(T a) { return c_cosh(c_mul_i(a)); }
DEVICE_FN T c_tan(T a) { return c_mul_minus_i(c_tanh(c_mul_i(a))); }
DEVICE_FN T c_asinh(T a) {
    /* log(a + sqrt(a*a + 1)) */
    T s = c_sqrt(c_make(RE(a) * RE(a) - IM(a) * IM(a) + 1, 2 * RE(a) * IM(a)));
    return c_log(c_make(RE(a) + RE(s), IM(a) + IM(s)));
}
DEVICE_FN T c_asin(T a) { return c_mul_minus_i(c_asinh(c_mul_i(a))); }
DEVICE_FN T c_acos(T a) {
    T s = c_asin(a);
    return c_make((T_REAL)1.5707963267948966 - RE(s), -IM(s));
}
DEVICE_FN T c_acosh(T a) {
    /* log(a + sqrt(a+1)*sqrt(a-1)) */
    T p = c_sqrt(c_make(RE(a) + 1, IM(a)));
    T m = c_sqrt(c_make(RE(a) - 1, IM(a)));
    T s = c_mul(p, m);
    return c_log(c_make(RE(a) + RE(s), IM(a) + IM(s)));
}
DEVICE_FN T c_atanh(T a) {
    /* 0.5 * (log(1+a) - log(1-a)) */
    T l1 = c_log(c_make(1 + RE(a), IM(a)));
    T l2 = c_log(c_make(1 - RE(a), -IM(a)));
    return c_make((RE(l1) - RE(l2)) * (T_REAL)0.5, (IM(l1) - IM(l2)) * (T_REAL)0.5);
}
DEVICE_FN T c_atan(T a) { return c_mul_minus_i(c_atanh(c_mul_i(a))); }

DEVICE_FN T op_add(T a, T b) { return c_make(RE(a) + RE(b), IM(a) + IM(b)); }
DEVICE_FN T op_subtract(T a, T b) { return c_make(RE(a) - RE(b), IM(a) - IM(b)); }
DEVICE_FN T op_multiply(T a, T b) { return c_mul(a, b); }
DEVICE_FN T op_divide(T a, T b) { return c_div(a, b); }
DEVICE_FN T op_negative(T a) { return c_make(-RE(a), -IM(a)); }
DEVICE_FN T op_positive(T a) { return a; }
DEVICE_FN T op_square(T a) { return c_mul(a, a); }
DEVICE_FN T op_reciprocal(T a) { return c_div(c_make(1, 0), a); }
DEVICE_FN T op_conj(T a) { return c_make(RE(a), -IM(a)); }
DEVICE_FN T op_round(T a) { return c_make(rint(RE(a)), rint(IM(a))); }
DEVICE_FN T op_sign(T a) {
    T_REAL m = c_abs(a);
    if (hal_isnan(RE(a)) || hal_isnan(IM(a))) return c_make(NAN, NAN);
    return m == 0 ? c_make(0, 0) : c_make(RE(a) / m, IM(a) / m);
}
DEVICE_FN T op_exp(T a) { return c_exp(a); }
DEVICE_FN T op_expm1(T a) {
    /* exp(a) - 1 with expm1 on the real part for accuracy near 0 */
    T_REAL em1 = expm1(RE(a));
    T_REAL s = sin(IM(a) * (T_REAL)0.5);
    return c_make(em1 * cos(IM(a)) - 2 * s * s, (em1 + 1) * sin(IM(a)));
}
DEVICE_FN T op_log(T a) { return c_log(a); }
DEVICE_FN T op_log1p(T a) {
    T_REAL x = RE(a), y = IM(a);
    T_REAL l = log1p(x * x + 2 * x + y * y) * (T_REAL)0.5;
    if (!(fabs(x) < (T_REAL)0.5 && fabs(y) < (T_REAL)0.5)) l = log(c_abs(c_make(1 + x, y)));
    return c_make(l, atan2(y, 1 + x));
}
DEVICE_FN T op_log2(T a) { T l = c_log(a); return c_make(RE(l) * (T_REAL)1.4426950408889634, IM(l) * (T_REAL)1.4426950408889634); }
DEVICE_FN T op_log10(T a) { T l = c_log(a); return c_make(RE(l) * (T_REAL)0.4342944819032518, IM(l) * (T_REAL)0.4342944819032518); }
DEVICE_FN T op_sqrt(T a) { return c_sqrt(a); }
DEVICE_FN T op_sin(T a) { return c_sin(a); }
DEVICE_FN T op_cos(T a) { return c_cos(a); }
DEVICE_FN T op_tan(T a) { return c_tan(a); }
DEVICE_FN T op_sinh(T a) { return c_sinh(a); }
DEVICE_FN T op_cosh(T a) { return c_cosh(a); }
DEVICE_FN T op_tanh(T a) { return c_tanh(a); }
DEVICE_FN T op_asin(T a) { return c_asin(a); }
DEVICE_FN T op_acos(T a) { return c_acos(a); }
DEVICE_FN T op_atan(T a) { return c_atan(a); }
DEVICE_FN T op_asinh(T a) { return c_asinh(a); }
DEVICE_FN T op_acosh(T a) { return c_acosh(a); }
DEVICE_FN T op_atanh(T a) { return c_atanh(a); }
DEVICE_FN T op_pow(T a, T b) {
    if (RE(b) == 0 && IM(b) == 0) return c_make(1, 0);
    if (RE(a) == 0 && IM(a) == 0) {
        return (RE(b) > 0 && IM(b) == 0) ? c_make(0, 0) : c_make(NAN, NAN);
    }
    if (IM(b) == 0 && RE(b) == rint(RE(b)) && fabs(RE(b)) < 100) {
        /* Integer exponents by repeated squaring, as NumPy's npy_cpow does: exact
         * for small powers, and overflow lands where NumPy's does (inf, not a
         * rounding of exp(b log a) just below it). */
        int n = (int)RE(b);
        int m = n < 0 ? -n : n;
        T result = c_make(1, 0), base = a;
        while (m) {
            if (m & 1) result = c_mul(result, base);
            m >>= 1;
            if (m) base = c_mul(base, base);
        }
        return n < 0 ? c_div(c_make(1, 0), result) : result;
    }
    return c_exp(c_mul(b, c_log(a)));
}
DEVICE_FN hal_bool op_equal(T a, T b) { return RE(a) == RE(b) && IM(a) == IM(b); }
DEVICE_FN hal_bool op_not_equal(T a, T b) { return RE(a) != RE(b) || IM(a) != IM(b); }
DEVICE_FN hal_bool op_isnan(T a) { return hal_isnan(RE(a)) || hal_isnan(IM(a)); }
DEVICE_FN hal_bool op_isinf(T a) { return hal_isinf(RE(a)) || hal_isinf(IM(a)); }
DEVICE_FN hal_bool op_isfinite(T a) { return hal_isfinite(RE(a)) && hal_isfinite(IM(a)); }
/* ops whose result is real */
DEVICE_FN T_REAL op_abs(T a) { return c_abs(a); }
DEVICE_FN T_REAL op_real(T a) { return RE(a); }
DEVICE_FN T_REAL op_imag(T a) { return IM(a); }
#endif


/* ------------------------------------------------------------- the op lists
 * X(name, result type) for every op the loop dtype's kind has; elementwise.c
 * expands them into one kernel set per op, so one program per dtype holds them all.
 */
#define HAL_COMPARISONS(X) X(equal, hal_bool) X(not_equal, hal_bool) \
    X(less, hal_bool) X(less_equal, hal_bool) X(greater, hal_bool) X(greater_equal, hal_bool)

#if defined(T_KIND_B)
#define HAL_UNARY_OPS(X) X(logical_not, hal_bool) X(bitwise_invert, hal_bool)
#define HAL_BINARY_OPS(X) HAL_COMPARISONS(X) X(logical_and, hal_bool) \
    X(logical_or, hal_bool) X(logical_xor, hal_bool) X(bitwise_and, hal_bool) \
    X(bitwise_or, hal_bool) X(bitwise_xor, hal_bool)
#elif defined(T_KIND_I) || defined(T_KIND_U)
#define HAL_UNARY_OPS(X) X(negative, T) X(positive, T) X(square, T) X(abs, T) X(sign, T) \
    X(ceil, T) X(floor, T) X(trunc, T) X(round, T) X(conj, T) X(real, T) X(imag, T) \
    X(isnan, hal_bool) X(isinf, hal_bool) X(isfinite, hal_bool) X(bitwise_invert, T)
#define HAL_BINARY_OPS(X) HAL_COMPARISONS(X) X(add, T) X(subtract, T) X(multiply, T) \
    X(bitwise_and, T) X(bitwise_or, T) X(bitwise_xor, T) X(bitwise_left_shift, T) \
    X(bitwise_right_shift, T) X(floor_divide, T) X(remainder, T) X(pow, T) \
    X(maximum, T) X(minimum, T)
#elif defined(T_KIND_F)
#define HAL_UNARY_OPS(X) X(negative, T) X(positive, T) X(square, T) X(reciprocal, T) \
    X(abs, T) X(sign, T) X(ceil, T) X(floor, T) X(trunc, T) X(round, T) X(conj, T) \
    X(real, T) X(imag, T) X(isnan, hal_bool) X(isinf, hal_bool) X(isfinite, hal_bool) \
    X(signbit, hal_bool) X(acos, T) X(acosh, T) X(asin, T) X(asinh, T) X(atan, T) \
    X(atanh, T) X(cos, T) X(cosh, T) X(exp, T) X(expm1, T) X(log, T) X(log1p, T) \
    X(log2, T) X(log10, T) X(sin, T) X(sinh, T) X(sqrt, T) X(tan, T) X(tanh, T)
#define HAL_BINARY_OPS(X) HAL_COMPARISONS(X) X(add, T) X(subtract, T) X(multiply, T) \
    X(divide, T) X(floor_divide, T) X(remainder, T) X(pow, T) X(atan2, T) X(hypot, T) \
    X(copysign, T) X(nextafter, T) X(logaddexp, T) X(maximum, T) X(minimum, T)
#elif defined(T_KIND_C)
#define HAL_UNARY_OPS(X) X(negative, T) X(positive, T) X(square, T) X(reciprocal, T) \
    X(conj, T) X(round, T) X(sign, T) X(exp, T) X(expm1, T) X(log, T) X(log1p, T) \
    X(log2, T) X(log10, T) X(sqrt, T) X(sin, T) X(cos, T) X(tan, T) X(sinh, T) \
    X(cosh, T) X(tanh, T) X(asin, T) X(acos, T) X(atan, T) X(asinh, T) X(acosh, T) \
    X(atanh, T) X(isnan, hal_bool) X(isinf, hal_bool) X(isfinite, hal_bool) \
    X(abs, T_REAL) X(real, T_REAL) X(imag, T_REAL)
#define HAL_BINARY_OPS(X) X(equal, hal_bool) X(not_equal, hal_bool) X(add, T) \
    X(subtract, T) X(multiply, T) X(divide, T) X(pow, T)
#endif
