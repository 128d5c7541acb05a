# Unpacks the carried node, dependencies, transpiled app and corpus into /tmp/w (device machine).
set -e
R=$(pwd)
mkdir -p /tmp/w && cd /tmp/w
[ -x node ] || xz -dc $R/devcarry/node.xz > node && chmod +x node
[ -d app ] || { tar xJf $R/devcarry/app.tar.xz && mv src app; }
[ -d app/node_modules ] || (cd app && tar xJf $R/devcarry/nm.tar.xz)
[ -d shared ] || tar xJf $R/devcarry/corp.tar.xz
ln -sfn $R/models app/models
echo "setup done: $(./node --version), $(nproc) cpus"
