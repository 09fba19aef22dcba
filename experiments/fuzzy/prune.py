"""Backward elimination of v2 kinds by true-pair coverage on synthetic data (seed 11).

The pool (pool_v2.txt) is every triple of the seven core fields (first, last, dob, house, street,
city, zip) holding a name part or the date of birth, names as NYSIIS codes, plus the sorted name
pair (plain and NYSIIS) and the any-position NYSIIS name with address and dob parts. For each true
pair of the synthetic scenarios it records which kinds agree after the voter-side drop rule, then
removes, one at a time, the kind whose loss costs least in coverage (share of true pairs with an
agreeing kind, plus a quarter of the share with two). Output: prune.log. FEBRL is not used.

    python3 prune.py > prune.log      # ~10 min on 2 cores
"""
import sys, time, collections
sys.argv=[sys.argv[0]]
import os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import experiment as E
kinds=list(E.V1_KINDS.values())+[tuple(k.split()) for k in open(os.path.join(E.HERE, 'pool_v2.txt')).read().split(";") if k.strip()]
nv1=len(E.V1_KINDS)
t0=time.time()
sc=E.synth_scenarios(11, kinds, 20000, 3000)
print("prepared %.0fs"%(time.time()-t0), flush=True)
# per scenario: list of masks (ints) of agreeing kinds for each true pair
masks=[]
for s in sc:
    ms=[]
    if s.mode=="voter":
        best=collections.defaultdict(int)
        for (i,j),b in s.status.items():
            if s.truth[i]==s.truth[j] and s.truth[i] is not None:
                m=0
                for k,v in enumerate(b):
                    if v==3: m|=1<<k
                best[i]|=m
        ms=[best.get(i,0) for i in range(s.n_left) if s.truth[i] in s.right_of_person]
    else:
        tp=collections.defaultdict(int)
        for (i,j),b in s.status.items():
            if s.truth[i]==s.truth[j] and s.org_of[i]!=s.org_of[j]:
                m=0
                for k,v in enumerate(b):
                    if v==3: m|=1<<k
                tp[s.truth[i]]|=m
        # all shared persons
        pa=set(s.truth[i] for i in range(s.n) if s.org_of[i]==0); pb=set(s.truth[i] for i in range(s.n) if s.org_of[i]==1)
        ms=[tp.get(p,0) for p in pa&pb]
    masks.append((s.name,ms))
def obj(active):
    am=sum(1<<k for k in active)
    tot=0
    for name,ms in masks:
        c1=sum(1 for m in ms if m&am)/len(ms)
        c2=sum(1 for m in ms if bin(m&am).count("1")>=2)/len(ms)
        tot+=c1+0.25*c2
    return tot/len(masks)
active=list(range(len(kinds)))
base=obj(active); print("all: %.4f"%base, [ (n, round(sum(1 for m in ms if m)/len(ms),4)) for n,ms in masks])
v2=list(range(nv1,len(kinds)))
while len([k for k in active if k>=nv1])>1:
    cur=obj(active)
    cands=[(cur-obj([a for a in active if a!=k]),k) for k in active if k>=nv1]
    loss,k=min(cands)
    active.remove(k)
    print("drop %-40s loss %.5f  obj %.4f  left %d"%(E.kind_name(kinds[k]),loss,cur-loss,len(active)-nv1), flush=True)
