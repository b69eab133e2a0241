// A core header that reaches into the store: the layer check must refuse it.
#include "store/store.hpp"
