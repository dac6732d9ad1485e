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
 * width give 0 (or -1 for negative signed values shifted right).  Special floating
 * values follow the Array API standard where it and NumPy differ (hal's NumPy backend
 * does too; README: "Where hal follows the standard, not NumPy"): floor_divide with
 * an infinite operand, complex expm1 at infinities.
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
/* x ** 2 is x * x, as NumPy computes it (its power takes np.square for a scalar 2):
   the correctly rounded square, and 3x faster than pow on a CPU device */
DEVICE_FN T op_pow(T a, T b) { return b == (T)2 ? (T)(a * a) : (T)pow(a, b); }
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
    /* the standard's special cases (zero divisor, NaNs, infinities: inf // 1 is +inf,
     * 1 // -inf is -0, where NumPy gives NaN and -1) are those of a / b; otherwise
     * NumPy's npy_floor_divide: floor of the true quotient, corrected by fmod */
    if (b == 0 || !hal_isfinite(a) || !hal_isfinite(b)) return a / b;
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
/* a * b with every product rounded on its own: separate statements are never
 * contracted into an fma (C's FP_CONTRACT applies within one expression), as NumPy's
 * scalar C (npy_cpow's cmul) computes it; where a product overflows, inf - inf gives
 * its nan, not an fma's inf.  (NumPy's SIMD multiply loop does use fma: c_mul above.) */
DEVICE_FN T c_mul_rounded(T a, T b) {
    T_REAL rr = RE(a) * RE(b);
    T_REAL ii = IM(a) * IM(b);
    T_REAL ri = RE(a) * IM(b);
    T_REAL ir = IM(a) * RE(b);
    return c_make(rr - ii, ri + ir);
}
DEVICE_FN T c_div(T a, T b) {
    /* Smith's algorithm: no overflow for large |b|; times 1/d, as NumPy's loop and
     * npy_cpow's quotient compute it (the same roundings) */
    T_REAL r, d;
    if (fabs(RE(b)) >= fabs(IM(b))) {
        if (RE(b) == 0 && IM(b) == 0) return c_make(RE(a) / fabs(RE(b)), IM(a) / fabs(RE(b)));
        r = IM(b) / RE(b);
        d = 1 / (RE(b) + IM(b) * r);
        return c_make((RE(a) + IM(a) * r) * d, (IM(a) - RE(a) * r) * d);
    }
    r = RE(b) / IM(b);
    d = 1 / (IM(b) + RE(b) * r);
    return c_make((RE(a) * r + IM(a)) * d, (IM(a) * r - RE(a)) * d);
}
/* Special values and extreme magnitudes follow C99 Annex G as glibc implements it
 * (NumPy's reference: its complex functions are glibc's).  Thresholds depend on the
 * real type; sizeof(T_REAL) is a compile-time constant. */
#define HALC_SEL(f, d) (sizeof(T_REAL) == 4 ? (T_REAL)(f) : (T_REAL)(d))
#define HALC_PI ((T_REAL)3.141592653589793)
#define HALC_PI_2 ((T_REAL)1.5707963267948966)
#define HALC_LN2 ((T_REAL)0.6931471805599453)
#define HALC_EPS HALC_SEL(1.1920928955078125e-7, 2.220446049250313e-16)
#define HALC_MAX HALC_SEL(3.4028234663852886e38, 1.7976931348623157e308)
/* exp(HALC_EXPT) is finite: (int)((max exponent - 1) * ln 2), as glibc rounds it */
#define HALC_EXPT HALC_SEL(88, 709)
DEVICE_FN T_REAL c_abs(T a) { return hypot(RE(a), IM(a)); }
DEVICE_FN T c_exp(T a) {
    T_REAL x = RE(a), y = IM(a);
    if (hal_isfinite(x) && hal_isfinite(y)) {
        T_REAL s = y, c = 1;
        if (y != 0) { s = sin(y); c = cos(y); }
        T_REAL t = HALC_EXPT;
        if (x > t) {  /* exp(x) overflows, exp(x) * cos(y) may not */
            T_REAL et = exp(t);
            x -= t; s *= et; c *= et;
            if (x > t) { x -= t; s *= et; c *= et; }
            if (x > t) return c_make(HALC_MAX * c, HALC_MAX * s);
        }
        T_REAL e = exp(x);
        return c_make(e * c, e * s);
    }
    if (hal_isinf(x)) {
        if (hal_isfinite(y)) {
            T_REAL v = x > 0 ? x : (T_REAL)0;
            if (y == 0) return c_make(v, y);
            return c_make(hal_copysign(v, cos(y)), hal_copysign(v, sin(y)));
        }
        if (x > 0) return c_make(x, y - y);
        return c_make((T_REAL)0, hal_copysign((T_REAL)0, y));
    }
    if (hal_isnan(x)) return c_make(x, y == 0 ? y : (T_REAL)NAN);
    return c_make((T_REAL)NAN, (T_REAL)NAN);  /* x finite, y inf or nan */
}
/* atan2 correctly rounded (almost always; glibc's double atan2 is too, OpenCL's may
 * be ulps off): the phase of pow(a, b) is b arg(a), so an ulp of arg(a) changes the
 * quadrant of a huge power.  Double-T_REAL arithmetic (hi, lo pairs held in a T): t = min/max of
 * |x|, |y|, c = k/16 nearest t, atan t = atan c + atan u, u = (t - c)/(1 + t c),
 * |u| <= 1/32 (odd series, 7 terms), then the octant. */
DEVICE_FN T c_atan_k16(int k) {  /* atan(k/16), hi + lo, k = 1..16 */
    switch (k) {
    case 1: return c_make(HALC_SEL(0.06241881102323532, 0.06241880999595735), HALC_SEL(-1.0272779293885037e-09, -1.5490756308295046e-18));
    case 2: return c_make(HALC_SEL(0.12435499578714371, 0.12435499454676144), HALC_SEL(-1.240382241363136e-09, -3.1253241424539383e-18));
    case 3: return c_make(HALC_SEL(0.18534794449806213, 0.18534794999569476), HALC_SEL(5.49763257140512e-09, 4.180692268843079e-18));
    case 4: return c_make(HALC_SEL(0.244978666305542, 0.24497866312686414), HALC_SEL(-3.1786777654474463e-09, 1.0698755618734451e-17));
    case 5: return c_make(HALC_SEL(0.30288487672805786, 0.3028848683749714), HALC_SEL(-8.353086222712136e-09, -1.1010827903001369e-17));
    case 6: return c_make(HALC_SEL(0.3587706685066223, 0.35877067027057225), HALC_SEL(1.7639498750554594e-09, -2.4623815582638635e-17));
    case 7: return c_make(HALC_SEL(0.4124104380607605, 0.4124104415973873), HALC_SEL(3.5366267692182873e-09, -1.587652227770689e-17));
    case 8: return c_make(HALC_SEL(0.46364760398864746, 0.4636476090008061), HALC_SEL(5.01215868808913e-09, 2.2698777452961687e-17));
    case 9: return c_make(HALC_SEL(0.5123894810676575, 0.5123894603107377), HALC_SEL(-2.0756919738573743e-08, -2.5462781472855804e-17));
    case 10: return c_make(HALC_SEL(0.5585992932319641, 0.5585993153435624), HALC_SEL(2.2111597886009804e-08, -5.4556305485916264e-18));
    case 11: return c_make(HALC_SEL(0.6022873520851135, 0.6022873461349642), HALC_SEL(-5.950149262190507e-09, 2.950430737228402e-17));
    case 12: return c_make(HALC_SEL(0.6435011029243469, 0.6435011087932844), HALC_SEL(5.868937336117597e-09, 1.5834785051444286e-17));
    case 13: return c_make(HALC_SEL(0.6823165416717529, 0.6823165548747481), HALC_SEL(1.3202995141625706e-08, 6.943223671560008e-18));
    case 14: return c_make(HALC_SEL(0.7188299894332886, 0.7188299996216245), HALC_SEL(1.0188335508587443e-08, -2.1478388444456983e-17));
    case 15: return c_make(HALC_SEL(0.7531512975692749, 0.7531512809621944), HALC_SEL(-1.660708015549517e-08, -2.4256934659182068e-17));
    case 16: return c_make(HALC_SEL(0.7853981852531433, 0.7853981633974483), HALC_SEL(-2.1855694143368964e-08, 3.061616997868383e-17));
    }
    return c_make((T_REAL)0, (T_REAL)0);
}
DEVICE_FN T dd_two_sum(T_REAL a, T_REAL b) {
    T_REAL s = a + b, bb = s - a;
    return c_make(s, (a - (s - bb)) + (b - bb));
}
DEVICE_FN T dd_fast_two_sum(T_REAL a, T_REAL b) {  /* |a| >= |b| */
    T_REAL s = a + b;
    return c_make(s, b - (s - a));
}
DEVICE_FN T dd_sub(T_REAL ah, T_REAL al, T b) {  /* (ah + al) - b */
    T s = dd_two_sum(ah, -RE(b));
    return dd_fast_two_sum(RE(s), IM(s) + al - IM(b));
}
DEVICE_FN T_REAL c_arg(T_REAL y, T_REAL x) {
    T_REAL ax = fabs(x), ay = fabs(y);
    if (!(ax > 0 || ay > 0) || !hal_isfinite(ax) || !hal_isfinite(ay)) return atan2(y, x);
    int swap = ay > ax;
    T_REAL n = swap ? ax : ay, d = swap ? ay : ax;
    T_REAL th = n / d;
    T_REAL tl = fma(-th, d, n) / d;
    int k = (int)(th * 16 + (T_REAL)0.5);
    T_REAL uh = th, ul = tl;
    if (k > 0) {
        T_REAL c = (T_REAL)k * (T_REAL)0.0625;
        T num = dd_two_sum(th - c, tl);           /* th - c is exact */
        T_REAL pr = th * c;
        T_REAL pe = fma(th, c, -pr);
        T den = dd_fast_two_sum(1, pr);
        T_REAL den_lo = IM(den) + pe + tl * c;
        uh = RE(num) / RE(den);
        T_REAL r = fma(-uh, RE(den), RE(num));
        ul = (r + IM(num) - uh * den_lo) / RE(den);
    }
    T_REAL u2 = uh * uh;
    T_REAL tail = uh * u2 * ((T_REAL)(-1.0 / 3) + u2 * ((T_REAL)(1.0 / 5) + u2 * ((T_REAL)(-1.0 / 7)
                  + u2 * ((T_REAL)(1.0 / 9) + u2 * ((T_REAL)(-1.0 / 11) + u2 * ((T_REAL)(1.0 / 13)
                  - u2 * (T_REAL)(1.0 / 15)))))));
    T at = c_atan_k16(k);
    T sm = dd_two_sum(RE(at), uh);
    T a = dd_fast_two_sum(RE(sm), IM(sm) + (IM(at) + (ul + tail)));
    if (k == 0) a = dd_fast_two_sum(uh, ul + tail);
    if (swap) a = dd_sub(HALC_SEL(1.5707963705062866, 1.5707963267948966),
                         HALC_SEL(-4.371138828673793e-08, 6.123233995736766e-17), a);
    if (x < 0) a = dd_sub(HALC_SEL(3.1415927410125732, 3.141592653589793),
                          HALC_SEL(-8.742277657347586e-08, 1.2246467991473532e-16), a);
    return hal_copysign(RE(a), y);
}
DEVICE_FN T c_log(T a) {
    /* log|a| as glibc's clog: log1p(|a|^2 - 1) / 2 near |a| = 1, halved near overflow */
    T_REAL x = RE(a), y = IM(a), ax = fabs(x), ay = fabs(y), r;
    if (ax < ay) { r = ax; ax = ay; ay = r; }
    if (ax > HALC_MAX * (T_REAL)0.5) {
        r = log(hypot(ax * (T_REAL)0.5, ay * (T_REAL)0.5)) + HALC_LN2;
    } else if (ax == 1) {
        r = log1p(ay * ay) * (T_REAL)0.5;
    } else if (ax > 1 && ax < 2 && ay < 1) {
        r = (ax - 1) * (ax + 1);
        if (ay >= HALC_EPS) r += ay * ay;
        r = log1p(r) * (T_REAL)0.5;
    } else if (ax < 1 && ax >= (T_REAL)0.5 && (ay < HALC_EPS * (T_REAL)0.5
                                              || ax * ax + ay * ay >= (T_REAL)0.5)) {
        r = (ax - 1) * (ax + 1);
        if (ay >= HALC_EPS * (T_REAL)0.5) r += ay * ay;
        r = log1p(r) * (T_REAL)0.5;
    } else {
        r = log(hypot(ax, ay));  /* NaN and infinite components too */
    }
    return c_make(r, c_arg(y, x));
}
DEVICE_FN T c_sqrt(T a) {
    T_REAL x = RE(a), y = IM(a);
    if (hal_isinf(y)) return c_make((T_REAL)INFINITY, y);
    if (hal_isinf(x)) {
        if (x < 0) return c_make(hal_isnan(y) ? y : (T_REAL)0, hal_copysign((T_REAL)INFINITY, y));
        return c_make(x, hal_isnan(y) ? y : hal_copysign((T_REAL)0, y));
    }
    if (hal_isnan(x) || hal_isnan(y)) return c_make((T_REAL)NAN, (T_REAL)NAN);
    if (y == 0) {
        if (x < 0) return c_make((T_REAL)0, hal_copysign(sqrt(-x), y));
        return c_make(fabs(sqrt(x)), hal_copysign((T_REAL)0, y));
    }
    if (x == 0) {
        T_REAL r = (T_REAL)0.7071067811865476 * sqrt(fabs(y));
        return c_make(r, hal_copysign(r, y));
    }
    /* scale by 1/4 near overflow; 2 Re(res) Im(res) = Im(x) avoids cancellation */
    T_REAL q = HALC_MAX * (T_REAL)0.25, scale = 1, r, s;
    if (fabs(x) > q || fabs(y) > q) { x *= (T_REAL)0.25; y *= (T_REAL)0.25; scale = 2; }
    T_REAL d = hypot(x, y);
    if (x > 0) {
        r = sqrt((T_REAL)0.5 * (d + x));
        s = (T_REAL)0.5 * (y / r);
    } else {
        s = sqrt((T_REAL)0.5 * (d - x));
        r = fabs((T_REAL)0.5 * (y / s));
    }
    return c_make(r * scale, hal_copysign(s * scale, y));
}
DEVICE_FN T c_sinh(T a) {
    T_REAL x = RE(a), y = IM(a);
    if (hal_isfinite(x)) {
        if (hal_isfinite(y)) {
            T_REAL s = y, c = 1, t = HALC_EXPT, ax = fabs(x);
            if (y != 0) { s = sin(y); c = cos(y); }
            if (ax > t) {  /* sinh(x) overflows before sinh(x) * cos(y) does */
                T_REAL et = exp(t);
                if (hal_signbit(x)) c = -c;
                ax -= t; s *= et * (T_REAL)0.5; c *= et * (T_REAL)0.5;
                if (ax > t) { ax -= t; s *= et; c *= et; }
                if (ax > t) return c_make(HALC_MAX * c, HALC_MAX * s);
                T_REAL e = exp(ax);
                return c_make(e * c, e * s);
            }
            return c_make(sinh(x) * c, cosh(x) * s);
        }
        if (x == 0) return c_make(x, y - y);
        return c_make((T_REAL)NAN, (T_REAL)NAN);
    }
    if (hal_isinf(x)) {
        if (hal_isfinite(y) && y != 0) {
            T_REAL re = hal_copysign((T_REAL)INFINITY, cos(y));
            return c_make(hal_signbit(x) ? -re : re, hal_copysign((T_REAL)INFINITY, sin(y)));
        }
        if (y == 0) return c_make(x, y);
        return c_make((T_REAL)INFINITY, y - y);
    }
    return c_make((T_REAL)NAN, y == 0 ? y : (T_REAL)NAN);
}
DEVICE_FN T c_cosh(T a) {
    T_REAL x = RE(a), y = IM(a);
    if (hal_isfinite(x)) {
        if (hal_isfinite(y)) {
            T_REAL s = y, c = 1, t = HALC_EXPT, ax = fabs(x);
            if (y != 0) { s = sin(y); c = cos(y); }
            if (ax > t) {
                T_REAL et = exp(t);
                if (hal_signbit(x)) s = -s;
                ax -= t; s *= et * (T_REAL)0.5; c *= et * (T_REAL)0.5;
                if (ax > t) { ax -= t; s *= et; c *= et; }
                if (ax > t) return c_make(HALC_MAX * c, HALC_MAX * s);
                T_REAL e = exp(ax);
                return c_make(e * c, e * s);
            }
            return c_make(cosh(x) * c, sinh(x) * s);
        }
        return c_make(y - y, x == 0 ? (T_REAL)0 : (T_REAL)NAN);
    }
    if (hal_isinf(x)) {
        if (hal_isfinite(y) && y != 0)
            return c_make(hal_copysign((T_REAL)INFINITY, cos(y)),
                          hal_copysign((T_REAL)INFINITY, sin(y)) * hal_copysign((T_REAL)1, x));
        if (y == 0) return c_make((T_REAL)INFINITY, y * hal_copysign((T_REAL)1, x));
        return c_make((T_REAL)INFINITY, y - y);
    }
    return c_make((T_REAL)NAN, y == 0 ? y : (T_REAL)NAN);
}
DEVICE_FN T c_tanh(T a) {
    T_REAL x = RE(a), y = IM(a);
    if (!hal_isfinite(x) || !hal_isfinite(y)) {
        if (hal_isinf(x))   /* the standard: +-1 + 0j, signed as y (NumPy: as sin(2y)) */
            return c_make(hal_copysign((T_REAL)1, x), hal_copysign((T_REAL)0, y));
        if (y == 0) return a;
        return c_make(x == 0 ? x : (T_REAL)NAN, (T_REAL)NAN);
    }
    /* tanh(x+iy) = (sinh(x) cosh(x) + i sin(y) cos(y)) / (sinh(x)^2 + cos(y)^2) */
    T_REAL s = y, c = 1, t = HALC_SEL(44, 354);
    if (y != 0) { s = sin(y); c = cos(y); }
    if (fabs(x) > t) {  /* real part +-1, imaginary part 4 sin(y) cos(y) / exp(2|x|) */
        T_REAL e2t = exp(2 * t), ax = fabs(x) - t, im = 4 * s * c / e2t;
        im = ax > t ? im / e2t : im / exp(2 * ax);
        return c_make(hal_copysign((T_REAL)1, x), im);
    }
    T_REAL sh = sinh(x), ch = cosh(x);
    T_REAL den = fabs(sh) > fabs(c) * HALC_EPS ? sh * sh + c * c : c * c;
    return c_make(sh * ch / den, s * c / den);
}
DEVICE_FN T c_mul_i(T a) { return c_make(-IM(a), RE(a)); }      /* i*a */
DEVICE_FN T c_mul_minus_i(T a) { return c_make(IM(a), -RE(a)); } /* -i*a */
DEVICE_FN T c_sin(T a) {
    /* glibc's csin: +inf imaginary part for an infinite Im(a) and a non-finite Re(a) */
    if (hal_isinf(IM(a)) && !hal_isfinite(RE(a))) return c_make((T_REAL)NAN, (T_REAL)INFINITY);
    return c_mul_minus_i(c_sinh(c_mul_i(a)));
}
DEVICE_FN T c_cos(T a) { return c_cosh(c_mul_i(a)); }
DEVICE_FN T c_tan(T a) { return c_mul_minus_i(c_tanh(c_mul_i(a))); }
/* asinh(X + iY) for X, Y >= 0 (or NaN): (Re, Im), or (Re, pi/2 - Im) computed
 * without cancellation when comp is set (for acos).  With w = z + sqrt(z^2 + 1):
 * |w|^2 - 1 = 2 (X Re(w) + Im(s) Im(w)), a sum of nonnegative terms; for large |z|,
 * asinh(z) = log(2z) to within 1/(4 z^2). */
DEVICE_FN T c_asinh_q1(T_REAL X, T_REAL Y, int comp) {
    if (hal_isnan(X) && Y == 0) return c_make(X, comp ? HALC_PI_2 : Y);
    T_REAL big = HALC_SEL(1e4, 1e8);
    if (!(X <= big && Y <= big)) {  /* also infinities and NaNs */
        T_REAL r = log(hypot(X * (T_REAL)0.5, Y * (T_REAL)0.5)) + 2 * HALC_LN2;
        return c_make(r, comp ? atan2(X, Y) : atan2(Y, X));
    }
    T s = c_sqrt(c_make((1 - Y) * (1 + Y) + X * X, 2 * X * Y));
    T_REAL rw = X + RE(s), iw = Y + IM(s);
    T_REAL r = (T_REAL)0.5 * log1p(2 * (X * rw + IM(s) * iw));
    return c_make(r, comp ? atan2(rw, iw) : atan2(iw, rw));
}
DEVICE_FN T c_asinh(T a) {
    T q = c_asinh_q1(fabs(RE(a)), fabs(IM(a)), 0);
    return c_make(hal_copysign(RE(q), RE(a)), hal_copysign(IM(q), IM(a)));
}
DEVICE_FN T c_asin(T a) {  /* -i asinh(i a) */
    T q = c_asinh_q1(fabs(IM(a)), fabs(RE(a)), 0);
    return c_make(hal_copysign(IM(q), RE(a)), hal_copysign(RE(q), IM(a)));
}
DEVICE_FN T c_acos(T a) {  /* pi/2 - asin(a) */
    T q = c_asinh_q1(fabs(IM(a)), fabs(RE(a)), 1);
    return c_make(hal_signbit(RE(a)) ? HALC_PI - IM(q) : IM(q), -hal_copysign(RE(q), IM(a)));
}
DEVICE_FN T c_acosh(T a) {  /* +-i acos(a), real part >= 0 */
    T q = c_asinh_q1(fabs(IM(a)), fabs(RE(a)), 1);
    return c_make(RE(q), hal_copysign(hal_signbit(RE(a)) ? HALC_PI - IM(q) : IM(q), IM(a)));
}
DEVICE_FN T c_atanh(T a) {
    T_REAL x = RE(a), y = IM(a), re, im;
    if (!hal_isfinite(x) || !hal_isfinite(y)) {
        if (hal_isinf(y)) return c_make(hal_copysign((T_REAL)0, x), hal_copysign(HALC_PI_2, y));
        if (hal_isinf(x) || x == 0)
            return c_make(hal_copysign((T_REAL)0, x),
                          hal_isnan(y) ? y : hal_copysign(HALC_PI_2, y));
        return c_make((T_REAL)NAN, (T_REAL)NAN);
    }
    if (x == 0 && y == 0) return a;
    T_REAL huge = 16 / HALC_EPS;
    if (fabs(x) >= huge || fabs(y) >= huge) {  /* atanh(z) = 1/z + i pi/2 sign(y) */
        im = hal_copysign(HALC_PI_2, y);
        if (fabs(y) <= 1) re = 1 / x;
        else if (fabs(x) <= 1) re = x / y / y;
        else {
            T_REAL h = hypot(x * (T_REAL)0.5, y * (T_REAL)0.5);
            re = x / h / h / 4;
        }
        return c_make(re, im);
    }
    T_REAL tiny = HALC_EPS * HALC_EPS;
    if (fabs(x) == 1 && fabs(y) < tiny) {
        re = hal_copysign((T_REAL)0.5, x) * (HALC_LN2 - log(fabs(y)));
    } else {
        T_REAL i2 = fabs(y) >= tiny ? y * y : (T_REAL)0;
        T_REAL num = 1 + x, den = 1 - x;
        num = i2 + num * num;
        den = i2 + den * den;
        T_REAL f = num / den;
        re = f < (T_REAL)0.5 ? (T_REAL)0.25 * log(f) : (T_REAL)0.25 * log1p(4 * x / den);
    }
    T_REAL ax = fabs(x), ay = fabs(y), d;
    if (ax < ay) { d = ax; ax = ay; ay = d; }
    if (ay < HALC_EPS * (T_REAL)0.5) {
        d = (1 - ax) * (1 + ax);
        if (d == 0) d = 0;
    } else {
        d = (1 - ax) * (1 + ax) - ay * ay;
    }
    return c_make(re, (T_REAL)0.5 * atan2(2 * y, d));
}
DEVICE_FN T c_atan(T a) { return c_mul_minus_i(c_atanh(c_mul_i(a))); }
/* a * b with C99 Annex G's recovery of infinities (libgcc's __muldc3): what C's
 * complex '*' computes, so what glibc's cpow = cexp(b * clog(a)) does */
DEVICE_FN T c_mul_annexg(T a, T b) {
    T_REAL ar = RE(a), ai = IM(a), br = RE(b), bi = IM(b);
    T_REAL ac = ar * br, bd = ai * bi, ad = ar * bi, bc = ai * br;
    T_REAL x = ac - bd, y = ad + bc;
    if (hal_isnan(x) && hal_isnan(y)) {
        int recalc = 0;
        if (hal_isinf(ar) || hal_isinf(ai)) {
            ar = hal_copysign(hal_isinf(ar) ? (T_REAL)1 : (T_REAL)0, ar);
            ai = hal_copysign(hal_isinf(ai) ? (T_REAL)1 : (T_REAL)0, ai);
            if (hal_isnan(br)) br = hal_copysign((T_REAL)0, br);
            if (hal_isnan(bi)) bi = hal_copysign((T_REAL)0, bi);
            recalc = 1;
        }
        if (hal_isinf(br) || hal_isinf(bi)) {
            br = hal_copysign(hal_isinf(br) ? (T_REAL)1 : (T_REAL)0, br);
            bi = hal_copysign(hal_isinf(bi) ? (T_REAL)1 : (T_REAL)0, bi);
            if (hal_isnan(ar)) ar = hal_copysign((T_REAL)0, ar);
            if (hal_isnan(ai)) ai = hal_copysign((T_REAL)0, ai);
            recalc = 1;
        }
        if (!recalc && (hal_isinf(ac) || hal_isinf(bd) || hal_isinf(ad) || hal_isinf(bc))) {
            if (hal_isnan(ar)) ar = hal_copysign((T_REAL)0, ar);
            if (hal_isnan(ai)) ai = hal_copysign((T_REAL)0, ai);
            if (hal_isnan(br)) br = hal_copysign((T_REAL)0, br);
            if (hal_isnan(bi)) bi = hal_copysign((T_REAL)0, bi);
            recalc = 1;
        }
        if (recalc) {
            x = (T_REAL)INFINITY * (ar * br - ai * bi);
            y = (T_REAL)INFINITY * (ar * bi + ai * br);
        }
    }
    return c_make(x, y);
}

DEVICE_FN T op_add(T a, T b) { return c_make(RE(a) + RE(b), IM(a) + IM(b)); }
DEVICE_FN T op_subtract(T a, T b) { return c_make(RE(a) - RE(b), IM(a) - IM(b)); }
DEVICE_FN T op_multiply(T a, T b) { return c_mul(a, b); }
DEVICE_FN T op_divide(T a, T b) { return c_div(a, b); }
DEVICE_FN T op_negative(T a) { return c_make(-RE(a), -IM(a)); }
DEVICE_FN T op_positive(T a) { return a; }
DEVICE_FN T op_square(T a) { return c_mul(a, a); }
DEVICE_FN T op_reciprocal(T a) {  /* NumPy's loop: Smith's algorithm with a numerator of 1 */
    T_REAL x = RE(a), y = IM(a), r, d;
    if (fabs(y) <= fabs(x)) { r = y / x; d = x + y * r; return c_make(1 / d, -r / d); }
    r = x / y; d = x * r + y;
    return c_make(r / d, -1 / d);
}
DEVICE_FN T op_conj(T a) { return c_make(RE(a), -IM(a)); }
DEVICE_FN T op_round(T a) { return c_make(rint(RE(a)), rint(IM(a))); }
DEVICE_FN T op_sign(T a) {
    /* a / |a|, as NumPy 2 computes it: an infinite |a| (an infinity, or an overflow
     * of hypot) gives +-1 on the infinite axis, NaN for two infinite components */
    T_REAL x = RE(a), y = IM(a), m = hypot(x, y);
    if (hal_isnan(m)) return c_make((T_REAL)NAN, (T_REAL)NAN);
    if (hal_isinf(m)) {
        if (hal_isinf(x))
            return hal_isinf(y) ? c_make((T_REAL)NAN, (T_REAL)NAN)
                                : c_make(x > 0 ? (T_REAL)1 : (T_REAL)-1, (T_REAL)0);
        return c_make((T_REAL)0, y > 0 ? (T_REAL)1 : (T_REAL)-1);
    }
    if (m == 0) return c_make((T_REAL)0, (T_REAL)0);
    return c_make(x / m, y / m);
}
DEVICE_FN T op_exp(T a) { return c_exp(a); }
DEVICE_FN T op_expm1(T a) {
    /* exp(a) - 1 with expm1 on the real part for accuracy near 0; infinities and NaNs
     * as the standard's special cases say (cexp's, minus one) */
    T_REAL x = RE(a), y = IM(a);
    if (hal_isinf(x)) {
        if (x < 0)   /* +0 cis(y) - 1; -1 + 0j when y is not finite */
            return hal_isfinite(y) ? c_make((T_REAL)0 * cos(y) - 1, (T_REAL)0 * sin(y))
                                   : c_make((T_REAL)-1, (T_REAL)0);
        if (y == 0) return c_make(x, y);
        return hal_isfinite(y) ? c_make(x * cos(y) - 1, x * sin(y))
                               : c_make(x, (T_REAL)NAN);
    }
    if (hal_isnan(x)) return c_make(x, y == 0 ? y : (T_REAL)NAN);
    if (!hal_isfinite(y)) return c_make((T_REAL)NAN, (T_REAL)NAN);
    T_REAL em1 = expm1(x);
    /* exact, and no inf * 0 when exp overflows; +0 for x = -0 (cexp(z) - 1 is 1 - 1) */
    if (y == 0) return c_make(em1 == 0 ? (T_REAL)0 : em1, y);
    T_REAL s = sin(y * (T_REAL)0.5);
    return c_make(em1 * cos(y) - 2 * s * s, (em1 + 1) * sin(y));
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
    /* NumPy's npy_cpow: 0**b is 0 for Re(b) > 0; small integer exponents unrolled
     * or by repeated squaring; otherwise glibc's cpow, cexp(b * clog(a)) with C's
     * complex product (Annex G infinities) */
    if (RE(b) == 0 && IM(b) == 0) return c_make(1, 0);
    if (RE(a) == 0 && IM(a) == 0) {
        return RE(b) > 0 ? c_make(0, 0) : c_make(NAN, NAN);
    }
    if (IM(b) == 0 && RE(b) == rint(RE(b)) && fabs(RE(b)) < 100) {
        /* Integer exponents by repeated squaring, as NumPy's npy_cpow does: exact
         * for small powers, and overflow lands where NumPy's does (inf, not a
         * rounding of exp(b log a) just below it). */
        int n = (int)RE(b);
        if (n == 1) return a;
        if (n == 2) return c_mul_rounded(a, a);
        if (n == 3) return c_mul_rounded(a, c_mul_rounded(a, a));
        int m = n < 0 ? -n : n;
        T result = c_make(1, 0), base = a;
        while (m) {
            if (m & 1) result = c_mul_rounded(result, base);
            m >>= 1;
            if (m) base = c_mul_rounded(base, base);
        }
        return n < 0 ? c_div(c_make(1, 0), result) : result;
    }
    return c_exp(c_mul_annexg(b, c_log(a)));
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
