# The C library for C, C++ and Python users:
#
#   make install PREFIX=$HOME/.local      # header, libweightinit.so.1, weightinit.pc under PREFIX
#   make uninstall PREFIX=$HOME/.local
#   cc app.c $(pkg-config --cflags --libs weightinit)   # with PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig
#
# Installs
#   PREFIX/include/weightinit.h
#   PREFIX/lib/libweightinit.so.1.1.0 (ABI major.minor.0; SONAME libweightinit.so.1) and the links
#     libweightinit.so.1 and libweightinit.so
#   PREFIX/lib/weightinit/  the Swift runtime libraries it needs, copied from
#     the toolchain that built it: Swift has no stable ABI on Linux, so the
#     library must run with exactly these, not whatever toolchain is (or is
#     not) installed where it runs. Its RUNPATH is $ORIGIN/weightinit, set with
#     patchelf; nothing is added to Package.swift.
#   PREFIX/lib/pkgconfig/weightinit.pc  (Libs carry -Wl,-rpath to PREFIX/lib,
#     so programs run without LD_LIBRARY_PATH)
#
# Variables: PREFIX (default /usr/local), DESTDIR (staging root for
# packagers), CONFIGURATION (release, or debug to reuse `swift build`'s
# debug build, as .ci/test does), SWIFT (default swift).
# Needs swift, patchelf (Debian: apt-get install patchelf) and ldd.

PREFIX ?= /usr/local
DESTDIR ?=
CONFIGURATION ?= release
SWIFT ?= swift

ABI_MAJOR := $(shell sed -n 's/^\#define WEIGHTINIT_ABI_VERSION_MAJOR \([0-9]*\).*/\1/p' Sources/CWeightInit/include/weightinit.h)
ABI_MINOR := $(shell sed -n 's/^\#define WEIGHTINIT_ABI_VERSION_MINOR \([0-9]*\).*/\1/p' Sources/CWeightInit/include/weightinit.h)
SONAME := libweightinit.so.$(ABI_MAJOR)
REALNAME := $(SONAME).$(ABI_MINOR).0
LIBDIR := $(DESTDIR)$(PREFIX)/lib
INCLUDEDIR := $(DESTDIR)$(PREFIX)/include

.PHONY: all lib install uninstall

all: lib

lib:
	$(SWIFT) build -c $(CONFIGURATION) --product WeightInitC

install: lib
	@command -v patchelf >/dev/null || { echo "make install: patchelf is needed (Debian: apt-get install patchelf)" >&2; exit 1; }
	@set -e; \
	bin=$$($(SWIFT) build -c $(CONFIGURATION) --show-bin-path); \
	built="$$bin/libWeightInitC.so"; \
	mkdir -p "$(INCLUDEDIR)" "$(LIBDIR)/pkgconfig" "$(LIBDIR)/weightinit"; \
	install -m 644 Sources/CWeightInit/include/weightinit.h "$(INCLUDEDIR)/weightinit.h"; \
	install -m 755 "$$built" "$(LIBDIR)/$(REALNAME)"; \
	patchelf --set-soname $(SONAME) "$(LIBDIR)/$(REALNAME)"; \
	patchelf --set-rpath '$$ORIGIN/weightinit' "$(LIBDIR)/$(REALNAME)"; \
	test "$$(patchelf --print-rpath "$(LIBDIR)/$(REALNAME)")" = '$$ORIGIN/weightinit'; \
	ln -sf $(REALNAME) "$(LIBDIR)/$(SONAME)"; \
	ln -sf $(SONAME) "$(LIBDIR)/libweightinit.so"; \
	runtime=$$(ldd "$$built" | sed -n 's/.*libswiftCore\.so => \(.*\)\/libswiftCore\.so .*/\1/p'); \
	test -n "$$runtime" || { echo "make install: ldd finds no libswiftCore.so for $$built" >&2; exit 1; }; \
	for library in $$(ldd "$$built" | awk -v dir="$$runtime/" 'index($$3, dir) == 1 { print $$3 }'); do \
	    install -m 644 "$$library" "$(LIBDIR)/weightinit/"; \
	done; \
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$${prefix}/lib' 'includedir=$${prefix}/include' '' \
	    'Name: weightinit' \
	    'Description: Reproducible neural-network weight initialisation (torch.nn.init and Keras schemes), C ABI' \
	    'Version: $(ABI_MAJOR).$(ABI_MINOR).0' \
	    'Libs: -L$${libdir} -Wl,-rpath,$${libdir} -lweightinit' \
	    'Cflags: -I$${includedir}' > "$(LIBDIR)/pkgconfig/weightinit.pc"; \
	echo "installed weightinit $(ABI_MAJOR).$(ABI_MINOR) ($(CONFIGURATION)) under $(DESTDIR)$(PREFIX): include/weightinit.h," \
	    "lib/$(REALNAME) with $$(ls "$(LIBDIR)/weightinit" | wc -l) Swift runtime libraries in lib/weightinit," \
	    "lib/pkgconfig/weightinit.pc"

uninstall:
	rm -f "$(INCLUDEDIR)/weightinit.h" "$(LIBDIR)/libweightinit.so" "$(LIBDIR)/$(SONAME)" "$(LIBDIR)/$(REALNAME)" \
	    "$(LIBDIR)/pkgconfig/weightinit.pc"
	rm -rf "$(LIBDIR)/weightinit"
