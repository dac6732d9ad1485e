/*
 * hal._speedups: the per-op hot path in C.
 *
 * The dispatcher's contract (hal/_dispatch.py) is that a cache hit is one dict
 * lookup and one kernel call.  In pure Python the function frame of __add__ and the
 * new wrapper object alone cost more than NumPy's own ufunc call on small arrays, so
 * this module does exactly the cache-hit part in C:
 *
 *     key   = (x1.placement or type(x1), x2.placement or type(x2))
 *     entry = cache[key]                  # (kernel, result placement)
 *     out   = Array(kernel(x1.native, x2.native), entry.placement)
 *
 * and the same for basic indexing (x[1:-1, 2], and x[k] = y where y has x's
 * placement).  Everything else (resolution on a miss, errors, in-place ops, indexing
 * with arrays, values needing checks or casts) stays in Python: a miss calls the
 * op's Python resolver, which fills the cache.  hal works without this module
 * (hal/_elementwise.py and hal/_array.py have the same paths in Python);
 * HAL_NO_SPEEDUPS=1 turns it off.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

/* ---------------------------------------------------------------- ArrayBase */

typedef struct {
    PyObject_HEAD
    PyObject *native;     /* the backend's native array */
    PyObject *placement;  /* interned (device, dtype): the cache key */
    PyObject *weakreflist;
} ArrayObject;

static PyTypeObject ArrayBase_Type;
static PyTypeObject *array_type = NULL;   /* hal.Array (a subclass), set by configure */

/* One op's cache, resolver and name, as configured from Python. */
typedef struct {
    PyObject *cache;      /* dict: key -> (kernel, placement) */
    PyObject *resolver;   /* callable(x1[, x2]) -> (kernel, placement), fills cache */
    PyObject *name;       /* str, for errors */
} OpSlot;

enum { B_ADD, B_SUB, B_MUL, B_DIV, B_FLOORDIV, B_MOD, B_POW, B_AND, B_OR, B_XOR,
       B_LSHIFT, B_RSHIFT, N_BINARY };
enum { U_NEG, U_POS, U_ABS, U_INVERT, N_UNARY };

static OpSlot binary_ops[N_BINARY];
static OpSlot compare_ops[6];            /* indexed by Py_LT .. Py_GE */
static OpSlot unary_ops[N_UNARY];
static OpSlot getitem_op;                /* cache: placement -> kernel(native, key) */
static PyObject *getitem_slow = NULL;    /* callable(self, key) for other keys */
static OpSlot setitem_op;                /* cache: placement -> kernel(native, key, v) */
static PyObject *setitem_slow = NULL;    /* callable(self, key, value): the rest */
static PyObject *raise_translated = NULL;/* callable(exc, name, placement): raises */

#define IS_ARRAY(o) (Py_TYPE(o) == array_type || \
                     (array_type && PyObject_TypeCheck((o), &ArrayBase_Type)))

static PyObject *
new_array(PyObject *native, PyObject *placement)
{
    /* steals `native` */
    ArrayObject *r = (ArrayObject *)array_type->tp_alloc(array_type, 0);
    if (r == NULL) {
        Py_DECREF(native);
        return NULL;
    }
    r->native = native;
    Py_INCREF(placement);
    r->placement = placement;
    return (PyObject *)r;
}

/* Called after a kernel raised: let Python turn it into a HalError naming the op. */
static PyObject *
kernel_failed(OpSlot *op, PyObject *placement)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb != NULL) {
        PyException_SetTraceback(value, tb);
    }
    PyObject *res = PyObject_CallFunctionObjArgs(raise_translated, value, op->name,
                                                 placement, NULL);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    Py_XDECREF(res);
    return NULL;   /* raise_translated always raises */
}

static PyObject *
lookup(OpSlot *op, PyObject *key, PyObject *a, PyObject *b)
{
    /* Returns a new reference to the (kernel, placement) entry. */
    PyObject *entry = PyDict_GetItemWithError(op->cache, key);
    if (entry != NULL) {
        Py_INCREF(entry);
        return entry;
    }
    if (PyErr_Occurred()) {
        return NULL;
    }
    if (b == NULL) {
        entry = PyObject_CallOneArg(op->resolver, a);
    }
    else {
        PyObject *args[2] = {a, b};
        entry = PyObject_Vectorcall(op->resolver, args, 2, NULL);
    }
    if (entry != NULL && (!PyTuple_Check(entry) || PyTuple_GET_SIZE(entry) != 2)) {
        Py_DECREF(entry);
        PyErr_SetString(PyExc_RuntimeError, "hal: a resolver returned a bad cache entry");
        return NULL;
    }
    return entry;
}

static PyObject *
binary_call(OpSlot *op, PyObject *a, PyObject *b)
{
    if (op->cache == NULL) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    int a_arr = IS_ARRAY(a), b_arr = IS_ARRAY(b);
    if (!a_arr && !b_arr) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    PyObject *ka = a_arr ? ((ArrayObject *)a)->placement : (PyObject *)Py_TYPE(a);
    PyObject *kb = b_arr ? ((ArrayObject *)b)->placement : (PyObject *)Py_TYPE(b);
    PyObject *key = PyTuple_Pack(2, ka, kb);
    if (key == NULL) {
        return NULL;
    }
    PyObject *entry = lookup(op, key, a, b);
    Py_DECREF(key);
    if (entry == NULL) {
        return NULL;
    }
    PyObject *kernel = PyTuple_GET_ITEM(entry, 0);
    PyObject *placement = PyTuple_GET_ITEM(entry, 1);
    PyObject *args[2] = {a_arr ? ((ArrayObject *)a)->native : a,
                         b_arr ? ((ArrayObject *)b)->native : b};
    PyObject *native = PyObject_Vectorcall(kernel, args, 2, NULL);
    PyObject *result = native ? new_array(native, placement)
                              : kernel_failed(op, placement);
    Py_DECREF(entry);
    return result;
}

static PyObject *
unary_call(OpSlot *op, PyObject *x)
{
    if (!IS_ARRAY(x) || op->cache == NULL) {
        /* let the Python resolver raise its clear TypeError */
        if (op->resolver == NULL) {
            PyErr_SetString(PyExc_TypeError, "hal speedups are not configured");
            return NULL;
        }
        PyObject *entry = PyObject_CallOneArg(op->resolver, x);
        Py_XDECREF(entry);
        if (entry != NULL) {
            PyErr_SetString(PyExc_TypeError, "expected a hal Array");
        }
        return NULL;
    }
    PyObject *entry = lookup(op, ((ArrayObject *)x)->placement, x, NULL);
    if (entry == NULL) {
        return NULL;
    }
    PyObject *placement = PyTuple_GET_ITEM(entry, 1);
    PyObject *native = PyObject_CallOneArg(PyTuple_GET_ITEM(entry, 0),
                                           ((ArrayObject *)x)->native);
    PyObject *result = native ? new_array(native, placement)
                              : kernel_failed(op, placement);
    Py_DECREF(entry);
    return result;
}

#define BINARY_SLOT(fname, idx) \
    static PyObject *fname(PyObject *a, PyObject *b) \
    { return binary_call(&binary_ops[idx], a, b); }

BINARY_SLOT(nb_add, B_ADD)
BINARY_SLOT(nb_sub, B_SUB)
BINARY_SLOT(nb_mul, B_MUL)
BINARY_SLOT(nb_div, B_DIV)
BINARY_SLOT(nb_floordiv, B_FLOORDIV)
BINARY_SLOT(nb_mod, B_MOD)
BINARY_SLOT(nb_and, B_AND)
BINARY_SLOT(nb_or, B_OR)
BINARY_SLOT(nb_xor, B_XOR)
BINARY_SLOT(nb_lshift, B_LSHIFT)
BINARY_SLOT(nb_rshift, B_RSHIFT)

static PyObject *
nb_pow(PyObject *a, PyObject *b, PyObject *mod)
{
    if (mod != Py_None) {
        PyErr_SetString(PyExc_TypeError, "pow: the three-argument form is not supported");
        return NULL;
    }
    return binary_call(&binary_ops[B_POW], a, b);
}

static PyObject *nb_neg(PyObject *x) { return unary_call(&unary_ops[U_NEG], x); }
static PyObject *nb_pos(PyObject *x) { return unary_call(&unary_ops[U_POS], x); }
static PyObject *nb_abs(PyObject *x) { return unary_call(&unary_ops[U_ABS], x); }
static PyObject *nb_invert(PyObject *x) { return unary_call(&unary_ops[U_INVERT], x); }

static PyObject *
array_richcompare(PyObject *a, PyObject *b, int opid)
{
    return binary_call(&compare_ops[opid], a, b);
}

/* A key of basic indexing only (a view, never a gather): an int, a slice, or a tuple
 * of ints, slices, None and Ellipsis.  Python's _native_key passes such keys through
 * unchanged and picks the basic op; anything else (arrays, lists, bools, objects with
 * __index__) takes the Python path, which validates and converts it. */
static int
is_basic_key(PyObject *key)
{
    if (PyLong_CheckExact(key) || PySlice_Check(key)) {
        return 1;
    }
    if (!PyTuple_CheckExact(key)) {
        return 0;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(key);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *k = PyTuple_GET_ITEM(key, i);
        if (!(PyLong_CheckExact(k) || PySlice_Check(k) || k == Py_None ||
              k == Py_Ellipsis)) {
            return 0;
        }
    }
    return 1;
}

static PyObject *
array_subscript(PyObject *self, PyObject *key)
{
    if (getitem_op.cache == NULL || !is_basic_key(key)) {
        if (getitem_slow == NULL) {
            PyErr_SetString(PyExc_TypeError, "hal speedups are not configured");
            return NULL;
        }
        PyObject *args[2] = {self, key};
        return PyObject_Vectorcall(getitem_slow, args, 2, NULL);
    }
    ArrayObject *x = (ArrayObject *)self;
    PyObject *kernel = PyDict_GetItemWithError(getitem_op.cache, x->placement);
    if (kernel == NULL) {
        if (PyErr_Occurred()) {
            return NULL;
        }
        PyObject *args[2] = {self, key};
        return PyObject_Vectorcall(getitem_slow, args, 2, NULL);
    }
    PyObject *args[2] = {x->native, key};
    PyObject *native = PyObject_Vectorcall(kernel, args, 2, NULL);
    return native ? new_array(native, x->placement)
                  : kernel_failed(&getitem_op, x->placement);
}

/* x[key] = value with a basic key and a value of x's own placement (same device, same
 * dtype: nothing to check or cast); everything else, and a cache miss, takes the
 * Python path (Array._setitem), which validates the value and resolves the kernel. */
static int
array_ass_subscript(PyObject *self, PyObject *key, PyObject *value)
{
    ArrayObject *x = (ArrayObject *)self;
    if (value == NULL) {
        /* as for a Python class with __setitem__ and no __delitem__ */
        PyErr_SetString(PyExc_AttributeError, "__delitem__");
        return -1;
    }
    if (setitem_op.cache != NULL && IS_ARRAY(value) &&
            ((ArrayObject *)value)->placement == x->placement && is_basic_key(key)) {
        PyObject *kernel = PyDict_GetItemWithError(setitem_op.cache, x->placement);
        if (kernel != NULL) {
            PyObject *placement = x->placement, *target = x->native;
            PyObject *source = ((ArrayObject *)value)->native;
            Py_INCREF(kernel);
            Py_INCREF(placement);
            Py_INCREF(target);
            Py_INCREF(source);
            PyObject *args[3] = {target, key, source};
            PyObject *native = PyObject_Vectorcall(kernel, args, 3, NULL);
            Py_DECREF(kernel);
            Py_DECREF(target);
            Py_DECREF(source);
            if (native == NULL) {
                kernel_failed(&setitem_op, placement);
                Py_DECREF(placement);
                return -1;
            }
            Py_DECREF(placement);
            Py_SETREF(x->native, native);
            return 0;
        }
        if (PyErr_Occurred()) {
            return -1;
        }
    }
    if (setitem_slow == NULL) {
        PyErr_SetString(PyExc_TypeError, "hal speedups are not configured");
        return -1;
    }
    PyObject *args[3] = {self, key, value};
    PyObject *r = PyObject_Vectorcall(setitem_slow, args, 3, NULL);
    if (r == NULL) {
        return -1;
    }
    Py_DECREF(r);
    return 0;
}

static void
array_dealloc(ArrayObject *self)
{
    if (self->weakreflist != NULL) {
        PyObject_ClearWeakRefs((PyObject *)self);
    }
    Py_CLEAR(self->native);
    Py_CLEAR(self->placement);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMemberDef array_members[] = {
    {"_native", T_OBJECT_EX, offsetof(ArrayObject, native), 0, "the backend's native array"},
    {"_p", T_OBJECT_EX, offsetof(ArrayObject, placement), 0, "the (device, dtype) placement"},
    {NULL}
};

static PyNumberMethods array_as_number = {
    .nb_add = nb_add, .nb_subtract = nb_sub, .nb_multiply = nb_mul,
    .nb_remainder = nb_mod, .nb_power = nb_pow, .nb_negative = nb_neg,
    .nb_positive = nb_pos, .nb_absolute = nb_abs, .nb_invert = nb_invert,
    .nb_lshift = nb_lshift, .nb_rshift = nb_rshift, .nb_and = nb_and,
    .nb_xor = nb_xor, .nb_or = nb_or, .nb_floor_divide = nb_floordiv,
    .nb_true_divide = nb_div,
};

static PyMappingMethods array_as_mapping = {
    .mp_subscript = array_subscript,
    .mp_ass_subscript = array_ass_subscript,
};

static PyTypeObject ArrayBase_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "hal._speedups.ArrayBase",
    .tp_basicsize = sizeof(ArrayObject),
    .tp_dealloc = (destructor)array_dealloc,
    .tp_as_number = &array_as_number,
    .tp_as_mapping = &array_as_mapping,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "C base of hal.Array: two slots and the operators' cache-hit path.",
    .tp_richcompare = array_richcompare,
    .tp_weaklistoffset = offsetof(ArrayObject, weakreflist),
    .tp_members = array_members,
    .tp_new = NULL,   /* hal.Array is created only through hal's own functions */
};

/* ------------------------------------------------------------- FastFunction */

/* hal.exp, hal.add ...: a callable doing the cache-hit path of one op. */
typedef struct {
    PyObject_HEAD
    OpSlot op;
    int arity;
    PyObject *dict;       /* __name__, __doc__, __signature__ ... set from Python */
    vectorcallfunc vectorcall;
} FastFunction;

static PyObject *
fastfunction_vectorcall(PyObject *callable, PyObject *const *args, size_t nargsf,
                        PyObject *kwnames)
{
    FastFunction *f = (FastFunction *)callable;
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    if (nargs != f->arity || (kwnames != NULL && PyTuple_GET_SIZE(kwnames))) {
        PyErr_Format(PyExc_TypeError, "%U() takes exactly %d positional argument%s",
                     f->op.name, f->arity, f->arity == 1 ? "" : "s");
        return NULL;
    }
    if (f->arity == 1) {
        return unary_call(&f->op, args[0]);
    }
    PyObject *r = binary_call(&f->op, args[0], args[1]);
    if (r == Py_NotImplemented) {
        /* neither argument is an Array: the resolver raises the clear error */
        Py_DECREF(r);
        PyObject *pair[2] = {args[0], args[1]};
        PyObject *entry = PyObject_Vectorcall(f->op.resolver, pair, 2, NULL);
        Py_XDECREF(entry);
        if (entry != NULL) {
            PyErr_SetString(PyExc_TypeError, "expected a hal Array");
        }
        return NULL;
    }
    return r;
}

static void
fastfunction_dealloc(FastFunction *f)
{
    PyObject_GC_UnTrack(f);
    Py_CLEAR(f->op.cache);
    Py_CLEAR(f->op.resolver);
    Py_CLEAR(f->op.name);
    Py_CLEAR(f->dict);
    PyObject_GC_Del(f);
}

static int
fastfunction_traverse(FastFunction *f, visitproc visit, void *arg)
{
    Py_VISIT(f->op.cache);
    Py_VISIT(f->op.resolver);
    Py_VISIT(f->dict);
    return 0;
}

static PyObject *
fastfunction_repr(FastFunction *f)
{
    return PyUnicode_FromFormat("<hal function %U>", f->op.name);
}

static PyTypeObject FastFunction_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "hal._speedups.FastFunction",
    .tp_basicsize = sizeof(FastFunction),
    .tp_dealloc = (destructor)fastfunction_dealloc,
    .tp_vectorcall_offset = offsetof(FastFunction, vectorcall),
    .tp_call = PyVectorcall_Call,
    .tp_repr = (reprfunc)fastfunction_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_doc = "An elementwise hal function whose cache-hit path runs in C.",
    .tp_traverse = (traverseproc)fastfunction_traverse,
    .tp_dictoffset = offsetof(FastFunction, dict),
};

/* ---------------------------------------------------------- module functions */

static int
set_slot(OpSlot *slot, PyObject *spec)
{
    PyObject *cache, *resolver, *name;
    if (!PyArg_ParseTuple(spec, "O!OU", &PyDict_Type, &cache, &resolver, &name)) {
        return -1;
    }
    Py_INCREF(cache);
    Py_INCREF(resolver);
    Py_INCREF(name);
    Py_XSETREF(slot->cache, cache);
    Py_XSETREF(slot->resolver, resolver);
    Py_XSETREF(slot->name, name);
    return 0;
}

static int
set_slots(OpSlot *slots, Py_ssize_t n, PyObject *specs, const char *what)
{
    if (!PyTuple_Check(specs) || PyTuple_GET_SIZE(specs) != n) {
        PyErr_Format(PyExc_ValueError, "configure: %s needs a tuple of %zd specs", what, n);
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (set_slot(&slots[i], PyTuple_GET_ITEM(specs, i)) < 0) {
            return -1;
        }
    }
    return 0;
}

static PyObject *
configure(PyObject *module, PyObject *args)
{
    PyObject *cls, *binary, *compare, *unary, *getitem, *slow, *raiser;
    PyObject *setitem = NULL, *set_slow = NULL;
    if (!PyArg_ParseTuple(args, "O!OOOOOO|OO", &PyType_Type, &cls, &binary, &compare,
                          &unary, &getitem, &slow, &raiser, &setitem, &set_slow)) {
        return NULL;
    }
    if ((setitem == NULL) != (set_slow == NULL)) {
        PyErr_SetString(PyExc_TypeError, "configure: setitem and setitem_slow go together");
        return NULL;
    }
    if (!PyType_IsSubtype((PyTypeObject *)cls, &ArrayBase_Type)) {
        PyErr_SetString(PyExc_TypeError, "configure: the array type must subclass ArrayBase");
        return NULL;
    }
    if (set_slots(binary_ops, N_BINARY, binary, "binary") < 0 ||
        set_slots(compare_ops, 6, compare, "compare") < 0 ||
        set_slots(unary_ops, N_UNARY, unary, "unary") < 0 ||
        set_slot(&getitem_op, getitem) < 0 ||
        (setitem != NULL && set_slot(&setitem_op, setitem) < 0)) {
        return NULL;
    }
    if (set_slow != NULL) {
        Py_INCREF(set_slow);
        Py_XSETREF(setitem_slow, set_slow);
    }
    Py_INCREF(cls);
    Py_XSETREF(array_type, (PyTypeObject *)cls);
    Py_INCREF(slow);
    Py_XSETREF(getitem_slow, slow);
    Py_INCREF(raiser);
    Py_XSETREF(raise_translated, raiser);
    Py_RETURN_NONE;
}

static PyObject *
make_function(PyObject *module, PyObject *args)
{
    int arity;
    PyObject *spec;
    if (!PyArg_ParseTuple(args, "iO!", &arity, &PyTuple_Type, &spec)) {
        return NULL;
    }
    if (arity != 1 && arity != 2) {
        PyErr_SetString(PyExc_ValueError, "make_function: arity must be 1 or 2");
        return NULL;
    }
    FastFunction *f = PyObject_GC_New(FastFunction, &FastFunction_Type);
    if (f == NULL) {
        return NULL;
    }
    f->op.cache = f->op.resolver = f->op.name = NULL;
    f->dict = NULL;
    f->arity = arity;
    f->vectorcall = fastfunction_vectorcall;
    if (set_slot(&f->op, spec) < 0) {
        Py_DECREF(f);
        return NULL;
    }
    PyObject_GC_Track(f);
    return (PyObject *)f;
}

static PyObject *
wrap(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    /* new_array from Python, for the generic (non-elementwise) ops */
    if (nargs != 2 || array_type == NULL) {
        PyErr_SetString(PyExc_TypeError, "wrap(native, placement) after configure()");
        return NULL;
    }
    Py_INCREF(args[0]);
    return new_array(args[0], args[1]);
}

static PyMethodDef module_methods[] = {
    {"configure", configure, METH_VARARGS,
     "configure(Array, binary, compare, unary, getitem, getitem_slow, raise_translated"
     "[, setitem, setitem_slow])"},
    {"make_function", make_function, METH_VARARGS,
     "make_function(arity, (cache, resolver, name)) -> a fast elementwise function"},
    {"wrap", (PyCFunction)(void (*)(void))wrap, METH_FASTCALL,
     "wrap(native, placement) -> hal.Array"},
    {NULL}
};

static struct PyModuleDef speedups_module = {
    PyModuleDef_HEAD_INIT, "hal._speedups",
    "The cache-hit path of hal's dispatcher, in C (optional).", -1, module_methods,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    if (PyType_Ready(&ArrayBase_Type) < 0 || PyType_Ready(&FastFunction_Type) < 0) {
        return NULL;
    }
    PyObject *m = PyModule_Create(&speedups_module);
    if (m == NULL) {
        return NULL;
    }
    Py_INCREF(&ArrayBase_Type);
    if (PyModule_AddObject(m, "ArrayBase", (PyObject *)&ArrayBase_Type) < 0) {
        Py_DECREF(&ArrayBase_Type);
        Py_DECREF(m);
        return NULL;
    }
    Py_INCREF(&FastFunction_Type);
    if (PyModule_AddObject(m, "FastFunction", (PyObject *)&FastFunction_Type) < 0) {
        Py_DECREF(&FastFunction_Type);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
