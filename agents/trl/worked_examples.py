"""Generic worked SET examples for the format warm start (written for this project).

Each entry is ``(scene, step1, step2, step3, label)``: a short scene description and a
compact Structured Emotional Thinking answer (one short sentence per step). They are
NOT taken from any benchmark: they were written for the warm start only, and a test
checks that none is a near-duplicate of a caption of the ``captions`` benchmark. Five
per Mikels label, so the warm start shows every label equally often.

Example:
    >>> from agents.trl.worked_examples import WORKED_EXAMPLES, answer_text
    >>> len(WORKED_EXAMPLES), WORKED_EXAMPLES[0][-1]
    (40, 'amusement')
    >>> answer_text(WORKED_EXAMPLES[0]).endswith("\\\\boxed{amusement}")
    True
"""

from __future__ import annotations

__all__ = ["WORKED_EXAMPLES", "answer_text"]

#: (scene, step1, step2, step3, label), five per Mikels label.
WORKED_EXAMPLES: tuple[tuple[str, str, str, str, str], ...] = (
    # amusement
    ("A statue in a town square has been given a knitted scarf and a traffic cone for a hat.",
     "A statue wears a scarf and a cone hat.", "People would smile at the prank.",
     "Positive, medium arousal.", "amusement"),
    ("A parrot on a pirate actor's shoulder steals the fake mustache off his face.",
     "A parrot pulls off an actor's fake mustache.", "Viewers would laugh at the silly moment.",
     "Positive, medium arousal.", "amusement"),
    ("A toddler wears her father's huge boots and tries to march across the lawn.",
     "A toddler stomps around in giant boots.", "People would giggle at the sight.",
     "Positive, medium arousal.", "amusement"),
    ("A robot vacuum drags a sock around the kitchen while a cat rides on top of it.",
     "A cat rides a robot vacuum with a sock.", "Anyone would find it funny.",
     "Positive, medium arousal.", "amusement"),
    ("A weather reporter on live TV is blown sideways by wind, clinging to his umbrella.",
     "A reporter clings to an umbrella in the wind.", "Viewers would chuckle at the struggle.",
     "Positive, medium arousal.", "amusement"),
    # anger
    ("A man in an office slams his phone down after an hour on hold with his bank.",
     "A man slams down his phone after a long hold.", "He would feel furious at the wait.",
     "Negative, high arousal.", "anger"),
    ("A chess player sweeps all the pieces off the board and glares at his opponent.",
     "A player sweeps the chess pieces away.", "The loser feels rage.",
     "Negative, high arousal.", "anger"),
    ("Neighbours shout over a fence about a tree that fell on a shed.",
     "Neighbours yell over a broken fence.", "Both sides feel hostile and mad.",
     "Negative, high arousal.", "anger"),
    ("A woman bangs on the glass of a closed ticket booth as her train leaves.",
     "A woman pounds on a closed booth window.", "She would feel fury at being ignored.",
     "Negative, high arousal.", "anger"),
    ("A shop owner points at a broken window and yells at a group of teenagers.",
     "An owner yells at teens by a broken window.", "He feels outrage at the damage.",
     "Negative, high arousal.", "anger"),
    # awe
    ("A glacier wall as tall as a tower calves into a fjord with a roar.",
     "A huge glacier wall crashes into the sea.", "People would feel tiny before its power.",
     "Positive, high arousal.", "awe"),
    ("A redwood trunk is so wide that a car drives through a tunnel in it.",
     "A car passes through a giant tree trunk.", "Viewers would marvel at its size.",
     "Positive, medium arousal.", "awe"),
    ("A volcano pours glowing lava into the ocean, sending up towers of steam.",
     "Lava pours into the sea under huge steam clouds.", "The power of nature would amaze people.",
     "Positive, high arousal.", "awe"),
    ("An astronaut floats by a space station window with the whole Earth turning below.",
     "An astronaut looks down at the whole Earth.", "People would feel moved and amazed.",
     "Positive, medium arousal.", "awe"),
    ("A giant dam releases water in a thundering white curtain hundreds of metres high.",
     "A huge dam pours out a thundering curtain of water.", "People would stare in wonder.",
     "Positive, medium arousal.", "awe"),
    # contentment
    ("A man dozes in a deck chair with a newspaper over his face on a warm afternoon.",
     "A man naps in a deck chair.", "People would feel relaxed and easy.",
     "Positive, low arousal.", "contentment"),
    ("A cat kneads a soft blanket on a sunny sofa and purrs.",
     "A cat purrs on a sunny blanket.", "Viewers would feel cozy and calm.",
     "Positive, low arousal.", "contentment"),
    ("An old fisherman mends a net on a quiet harbour wall in the evening sun.",
     "A fisherman mends a net by the harbour.", "The scene feels peaceful and satisfying.",
     "Positive, low arousal.", "contentment"),
    ("Friends play cards on a porch while crickets chirp at dusk.",
     "Friends play cards on a porch at dusk.", "Anyone would feel at ease.",
     "Positive, low arousal.", "contentment"),
    ("A woman soaks in a warm bath with candles and soft music.",
     "A woman relaxes in a candlelit bath.", "People would feel serene and content.",
     "Positive, low arousal.", "contentment"),
    # disgust
    ("A man sneezes into his hands and then reaches into a shared bowl of chips.",
     "A man sneezes, then grabs shared chips.", "People would feel grossed out.",
     "Negative, medium arousal.", "disgust"),
    ("Green slime oozes from a forgotten lunchbox opened after the holidays.",
     "Slime oozes from an old lunchbox.", "Viewers would feel sick.",
     "Negative, medium arousal.", "disgust"),
    ("A hair is stuck in a half-eaten burger on a greasy tray.",
     "A hair sits in a greasy burger.", "Anyone would feel repelled.",
     "Negative, medium arousal.", "disgust"),
    ("Vomit is splattered across the seats of a late-night bus.",
     "Vomit covers the seats of a bus.", "People would feel nauseated.",
     "Negative, medium arousal.", "disgust"),
    ("A dentist pulls a blackened, rotting tooth from a patient's mouth.",
     "A rotten black tooth is pulled out.", "Viewers would recoil in revulsion.",
     "Negative, medium arousal.", "disgust"),
    # excitement
    ("A go-kart team sprays soda over each other on the winners' podium.",
     "A kart team sprays soda on the podium.", "The team would feel thrilled.",
     "Positive, high arousal.", "excitement"),
    ("A racing car crosses the finish line inches ahead of its rival.",
     "A car wins a race by inches.", "Fans would feel a thrilling rush.",
     "Positive, high arousal.", "excitement"),
    ("A girl opens a letter and jumps up and down, waving it at her parents.",
     "A girl jumps while waving a letter.", "She feels eager and overjoyed.",
     "Positive, high arousal.", "excitement"),
    ("A zip-liner shoots over a jungle canopy, whooping with arms out.",
     "A zip-liner whoops over a jungle.", "People would feel an exhilarating rush.",
     "Positive, high arousal.", "excitement"),
    ("Teenagers race each other on scooters down a long hill, shouting.",
     "Teens race scooters down a hill.", "The crowd feels energized and thrilled.",
     "Positive, high arousal.", "excitement"),
    # fear
    ("A diver's air gauge reads empty while he is still deep inside an underwater cave.",
     "A diver runs out of air deep in a cave.", "Anyone would feel terrified.",
     "Negative, high arousal.", "fear"),
    ("A small plane shakes as the lights flicker and masks drop from the ceiling.",
     "Masks drop in a shaking plane.", "Passengers would feel panic.",
     "Negative, high arousal.", "fear"),
    ("Footsteps echo behind a woman in an empty parking garage at midnight.",
     "Someone follows a woman in a dark garage.", "She would feel dread.",
     "Negative, high arousal.", "fear"),
    ("Something scratches under the bed while a child hides under the covers with a flashlight.",
     "A child hides as something scratches under the bed.", "Viewers would feel frightened.",
     "Negative, high arousal.", "fear"),
    ("A wall of wildfire races down a hill toward a row of houses.",
     "A wildfire races toward houses.", "People would feel panic and terror.",
     "Negative, high arousal.", "fear"),
    # sadness
    ("An old man places flowers on a headstone in the rain.",
     "A man leaves flowers on a grave in the rain.", "People would feel grief.",
     "Negative, low arousal.", "sadness"),
    ("A soldier's boots and helmet rest on an empty chair at a memorial.",
     "Boots and a helmet rest on an empty chair.", "Viewers would feel sorrow and loss.",
     "Negative, low arousal.", "sadness"),
    ("A boy stares at a lost-pet poster with his own cat's photo on it.",
     "A boy looks at his lost cat's poster.", "He would feel sad and worried.",
     "Negative, low arousal.", "sadness"),
    ("A shop owner locks the door of his closed business for the last time.",
     "An owner locks his shop for good.", "The scene feels heartbreaking.",
     "Negative, low arousal.", "sadness"),
    ("A woman sits on a hospital bench holding a stopped watch.",
     "A woman sits alone in a hospital hall.", "People would feel sorrow for her.",
     "Negative, low arousal.", "sadness"),
)  # fmt: skip


def answer_text(example: tuple[str, str, str, str, str]) -> str:
    """The compact SET answer of a worked example (three tagged steps and the box)."""
    _, step1, step2, step3, label = example
    return (
        f"<step1> {step1} </step1>\n<step2> {step2} </step2>\n"
        f"<step3> {step3} </step3>\n\\boxed{{{label}}}"
    )
