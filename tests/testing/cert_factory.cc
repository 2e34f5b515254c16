#include "testing/cert_factory.h"
